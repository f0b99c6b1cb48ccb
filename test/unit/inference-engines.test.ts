/**
 * Engine selection on this host, the ONNX cache next to the weights, batching and input checks, and which engine keeps
 * the TF.js model in memory; a manifest that misnames the weights' layout.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { EngineInputError } from '../../src/inference/engine';
import { onnxCudaAvailable } from '../../src/inference/engines/onnx-engine';
import { runBatched } from '../../src/inference/engines/run-batched';
import { resolveAutoEngine, selectEngine } from '../../src/inference/engines/select';
import { initTfjsBackend, tensorflowBackendAvailable } from '../../src/inference/engines/tfjs-backend';
import { saveModelFloat16 } from '../../src/inference/model/weights-io';
import { cachedOnnx, ONNX_FILE } from '../../src/inference/onnx/cache';
import { openModelPackage } from '../../src/inference/package/load';
import { writeTestModelPackage } from '../helpers/model-package';
import { randomGastricModel, randomImages } from '../helpers/random-model';

const SIZE = 64;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-engines-'));
const modelDir = path.join(tmp, 'model');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  const model = randomGastricModel(SIZE, 51);
  await saveModelFloat16(model, modelDir);
  model.dispose();
});

test('this host: no tfjs-node, no CUDA provider → auto is onnx on the CPU; tfjs falls back to wasm', async () => {
  expect(tensorflowBackendAvailable()).toBe(false);
  expect(onnxCudaAvailable()).toBe(false);
  expect(resolveAutoEngine()).toBe('onnx');
  expect(await initTfjsBackend()).toBe('wasm');

  const auto = await selectEngine({ engine: 'auto', modelDir, threads: 0 });
  expect([auto.kind, auto.backend, auto.inputSize]).toEqual(['onnx', 'cpu', SIZE]);
  const tfjs = await selectEngine({ engine: 'tfjs', modelDir });
  expect([tfjs.kind, tfjs.backend]).toEqual(['tfjs', 'wasm']);
  await auto.dispose();
  await tfjs.dispose();
});

test('the ONNX graph is cached next to the weights and re-exported when they change', async () => {
  expect(fs.existsSync(path.join(modelDir, ONNX_FILE))).toBe(true); // written by the previous test's onnx engine
  const again = await cachedOnnx(modelDir);
  expect(again.exported).toBe(false);
  expect(again.bytes.byteLength).toBe(fs.statSync(path.join(modelDir, ONNX_FILE)).size);

  const retrained = randomGastricModel(SIZE, 52);
  await saveModelFloat16(retrained, modelDir);
  retrained.dispose();
  expect((await cachedOnnx(modelDir)).exported).toBe(true);
  expect((await cachedOnnx(modelDir)).exported).toBe(false);
});

test('runBatched splits into batches and keeps input order; engines check their input', async () => {
  const engine = await selectEngine({ engine: 'onnx', modelDir });
  const per = SIZE * SIZE * 3;
  const all = randomImages(5, SIZE, 77);
  const images = Array.from({ length: 5 }, (_, i) => all.slice(i * per, (i + 1) * per));
  const batched = await runBatched(engine, images, 2);
  const whole = await engine.run(all, 5);
  expect(batched.cancer).toHaveLength(10);
  expect(batched.stage).toHaveLength(20);
  expect(batched.features).toHaveLength(5 * 2 * 2 * 2048);
  const diff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
  expect(diff(batched.cancer, whole.cancer)).toBeLessThan(1e-5);
  expect(diff(batched.features, whole.features)).toBeLessThan(1e-4);

  await expect(engine.run(all, 4)).rejects.toThrow(EngineInputError);
  await expect(runBatched(engine, images, 0)).rejects.toThrow(/batchSize/);
  await expect(runBatched(engine, [new Float32Array(3)], 1)).rejects.toThrow(/input 0/);
  await engine.dispose();
});

test('an onnx model package holds no TF.js weights; a tfjs one holds them until its engine is disposed', async () => {
  const packageDir = path.join(tmp, 'package');
  await writeTestModelPackage(packageDir, 'ES', SIZE);
  const before = tf.memory().numTensors;

  const onnx = await openModelPackage(packageDir, { engine: 'onnx', threads: 1 });
  expect(onnx.engine.kind).toBe('onnx');
  expect(tf.memory().numTensors).toBe(before);
  // The CAM head was copied out before the model went.
  expect(onnx.head.weightDiff).toHaveLength(2048);
  expect(Number.isFinite(onnx.head.biasDiff)).toBe(true);
  await onnx.engine.dispose();

  const tfjs = await openModelPackage(packageDir, { engine: 'tfjs', threads: 1 });
  expect(tfjs.engine.kind).toBe('tfjs');
  expect(tf.memory().numTensors).toBeGreaterThan(before);
  expect(tfjs.head.weightDiff).toEqual(onnx.head.weightDiff);
  await tfjs.engine.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

test('a package whose manifest names another ResNet50 layout than its weights is refused at open', async () => {
  const packageDir = path.join(tmp, 'package-layout');
  await writeTestModelPackage(packageDir, 'ES', SIZE);
  const file = path.join(packageDir, 'manifest.json');
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), architecture: 'resnet50' }));
  await expect(openModelPackage(packageDir, { engine: 'onnx', threads: 1 })).rejects.toThrow(/architecture: resnet50 but the weights have the resnet50-v1.5 layout/);
});
