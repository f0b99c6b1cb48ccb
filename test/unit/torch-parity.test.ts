/**
 * One network, three engines: a seeded PyTorch ResNet50 (trainer/gastric_trainer/parity.py, BatchNorm statistics from
 * data) in both layouts, its weights through the exchange file into our TF.js ResNet50 and from there through our
 * ONNX exporter. Cancer, stage and the feature map (which the CAM is made from) agree within 1e-4 on the same input
 * (the feature map relative to its largest value).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as tf from '@tensorflow/tfjs';
import type { EngineOutput } from '../../src/inference/engine';
import { OnnxEngine } from '../../src/inference/engines/onnx-engine';
import { initTfjsBackend } from '../../src/inference/engines/tfjs-backend';
import { TfjsEngine } from '../../src/inference/engines/tfjs-engine';
import { buildGastricResNet50, ResNetVariant, resnetVariantOf } from '../../src/inference/model/resnet50';
import { exportOnnx } from '../../src/inference/onnx/export';
import { trainerCommand } from '../../src/training/torch/python';
import { applyExchangeWeights, readExchangeWeights, writeExchangeWeights } from '../../src/training/torch/weights-exchange';

const SIZE = 64;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-parity-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await initTfjsBackend();
});

interface Reference {
  dir: string;
  shapes: Record<string, number[]>;
  read(name: string): Float32Array;
}

function pytorchReference(variant: ResNetVariant): Reference {
  const dir = path.join(tmp, variant);
  const c = trainerCommand(['parity', '--out', dir, '--size', String(SIZE), '--variant', variant, '--seed', '7']);
  const r = spawnSync(c.command, c.args, { ...c.options, encoding: 'utf8' });
  expect(r.stdout).toContain('"event": "done"');
  expect(r.status).toBe(0);
  const { shapes } = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8')) as { shapes: Record<string, number[]> };
  return { dir, shapes, read: (name) => new Float32Array(new Uint8Array(fs.readFileSync(path.join(dir, `${name}.f32`))).buffer) };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Probabilities within 1e-4; features within 1e-4 of the map's largest value (here ~9: the engines sum 50 layers of
 * float32 products in different orders, which moves a value of 9 by a few 1e-4 and a probability by ~1e-6).
 */
function expectClose(out: EngineOutput, ref: Reference): Record<string, number> {
  const features = ref.read('features');
  const scale = Math.max(1, ...features.map(Math.abs));
  const diffs = { cancer: maxAbsDiff(out.cancer, ref.read('cancer')), stage: maxAbsDiff(out.stage, ref.read('stage')), featuresRelative: maxAbsDiff(out.features, features) / scale };
  expect(diffs.cancer).toBeLessThan(1e-4);
  expect(diffs.stage).toBeLessThan(1e-4);
  expect(diffs.featuresRelative).toBeLessThan(1e-4);
  return diffs;
}

describe.each(['v1.5', 'v1'] as const)('PyTorch ResNet50 %s', (variant) => {
  let ref: Reference;
  let model: tf.LayersModel;
  beforeAll(() => {
    ref = pytorchReference(variant);
    model = buildGastricResNet50({ inputSize: SIZE, variant, seed: 1 });
    applyExchangeWeights(model, readExchangeWeights(ref.dir));
  });
  afterAll(() => model.dispose());

  test('TF.js and ONNX Runtime give PyTorch outputs within 1e-4 (cancer, stage, features)', async () => {
    const input = ref.read('input');
    const features = ref.read('features');
    // Values worth agreeing on: features of order 1, probabilities away from 0 and 1.
    expect(Math.max(...features.map(Math.abs))).toBeGreaterThan(0.5);
    expect(Math.min(...ref.read('cancer'))).toBeGreaterThan(0.01);
    expect(ref.shapes.features).toEqual([2, 2, 2, 2048]);

    const tfjs = await (await TfjsEngine.create(model)).run(input, 2);
    const onnxEngine = await OnnxEngine.create(exportOnnx(model), { threads: 0 });
    const fromOnnx = await onnxEngine.run(input, 2);
    await onnxEngine.dispose();
    const diffs = { tfjs: expectClose(tfjs, ref), onnx: expectClose(fromOnnx, ref) };
    process.stdout.write(`parity ${variant} at ${SIZE}px, max |diff| vs PyTorch: ${JSON.stringify(diffs)}\n`);
  });

  test('the layout is read back from the model, and weights written from TF.js round-trip bit for bit', () => {
    expect(resnetVariantOf(model)).toBe(variant);
    const dir = path.join(tmp, `${variant}-roundtrip`);
    expect(writeExchangeWeights(dir, model)).toBe(variant);
    const a = readExchangeWeights(ref.dir);
    const b = readExchangeWeights(dir);
    for (const [name, t] of a.tensors) {
      const back = b.tensors.get(name);
      expect(back?.shape).toEqual(t.shape);
      expect(maxAbsDiff(back!.data, t.data)).toBe(0);
    }
  });
});

test('a variant mismatch between weights and model is caught by shape or name, not silently loaded', () => {
  // v1 and v1.5 share every shape, so the file names its layout and the trainer checks it; here: a missing tensor.
  const dir = path.join(tmp, 'v1.5');
  const weights = readExchangeWeights(dir);
  weights.tensors.delete('conv4_block2_3_bn/moving_variance');
  const model = buildGastricResNet50({ inputSize: SIZE, variant: 'v1.5' });
  expect(() => applyExchangeWeights(model, weights)).toThrow('trained weights lack conv4_block2_3_bn/moving_variance');
  model.dispose();
});
