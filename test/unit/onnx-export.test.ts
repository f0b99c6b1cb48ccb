/** Our LayersModel → ONNX exporter: numerical parity with TF.js, BN folding, float16-loaded models, refusals. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { OnnxEngine } from '../../src/inference/engines/onnx-engine';
import { TfjsEngine } from '../../src/inference/engines/tfjs-engine';
import { initTfjsBackend } from '../../src/inference/engines/tfjs-backend';
import type { EngineOutput } from '../../src/inference/engine';
import { foldBatchNorm } from '../../src/inference/onnx/bn-fold';
import { exportOnnx, OnnxExportError } from '../../src/inference/onnx/export';
import { loadModel, saveModelFloat16 } from '../../src/inference/model/weights-io';
import { randomGastricModel, randomImages, seededRandom } from '../helpers/random-model';

const SIZE = 64; // parity does not depend on the input size; 64 px keeps a ResNet50 pass well under a second here
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-onnx-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await initTfjsBackend();
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

async function bothEngines(model: tf.LayersModel, input: Float32Array, n: number): Promise<[EngineOutput, EngineOutput]> {
  const onnxEngine = await OnnxEngine.create(exportOnnx(model), { threads: 0 });
  const tfjsEngine = await TfjsEngine.create(model);
  try {
    return [await onnxEngine.run(input, n), await tfjsEngine.run(input, n)];
  } finally {
    await onnxEngine.dispose();
  }
}

function expectParity(a: EngineOutput, b: EngineOutput): Record<string, number> {
  const diffs = {
    cancer: maxAbsDiff(a.cancer, b.cancer), stage: maxAbsDiff(a.stage, b.stage), features: maxAbsDiff(a.features, b.features),
  };
  expect(a.featureShape).toEqual(b.featureShape);
  expect(diffs.cancer).toBeLessThan(1e-4);
  expect(diffs.stage).toBeLessThan(1e-4);
  expect(diffs.features).toBeLessThan(1e-4);
  return diffs;
}

describe('exportOnnx on buildGastricResNet50', () => {
  const model = randomGastricModel(SIZE, 11);
  afterAll(() => model.dispose());

  test('ONNX and TF.js agree within 1e-4 on every output (random BN statistics, so folding is exercised)', async () => {
    const input = randomImages(2, SIZE, 5);
    const [fromOnnx, fromTfjs] = await bothEngines(model, input, 2);
    const diffs = expectParity(fromOnnx, fromTfjs);
    // Non-trivial values: features of order 1, probabilities away from 0/1, so a 1e-4 agreement means something.
    expect(maxAbs(fromTfjs.features)).toBeGreaterThan(0.5);
    expect(Math.min(...fromTfjs.cancer)).toBeGreaterThan(0.01);
    expect(fromOnnx.featureShape).toEqual([2, 2, 2048]);
    process.stdout.write(`onnx vs tfjs max |diff| at ${SIZE}px: ${JSON.stringify(diffs)}\n`);
  });

  test('graph: NHWC input with symbolic batch, opset 13, no BatchNormalization left, outputs cancer/stage/features', () => {
    const decoded = onnx.ModelProto.decode(exportOnnx(model));
    const proto = onnx.ModelProto.toObject(decoded, { longs: Number }) as onnx.IModelProto;
    expect(proto.opsetImport![0].version).toBe(13);
    const graph = proto.graph!;
    const dims = (v: onnx.IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || d.dimValue);
    expect(graph.input!.map((v) => [v.name, dims(v)])).toEqual([['input', ['N', SIZE, SIZE, 3]]]);
    expect(graph.output!.map((v) => [v.name, dims(v)])).toEqual([
      ['cancer', ['N', 2]], ['stage', ['N', 4]], ['features', ['N', 2, 2, 2048]],
    ]);
    const ops = graph.node!.map((n) => n.opType);
    expect(ops).not.toContain('BatchNormalization');
    expect(ops.filter((o) => o === 'Conv')).toHaveLength(53);
    // conv1_pad went into the first Conv's pads; pool1_pad stays a Pad (MaxPool pads with -inf, Keras with zeros).
    expect(ops.filter((o) => o === 'Pad')).toHaveLength(1);
  });
});

test('a model saved with float16 weights and reloaded exports to ONNX that agrees with its TF.js self', async () => {
  const original = randomGastricModel(SIZE, 21);
  const dir = path.join(tmp, 'f16');
  await saveModelFloat16(original, dir);
  original.dispose();
  const reloaded = await loadModel(dir);
  const [fromOnnx, fromTfjs] = await bothEngines(reloaded, randomImages(1, SIZE, 6), 1);
  const diffs = expectParity(fromOnnx, fromTfjs);
  process.stdout.write(`float16-reloaded model, onnx vs tfjs max |diff|: ${JSON.stringify(diffs)}\n`);
  reloaded.dispose();
});

test('generic layers: same-padding stride 2 (asymmetric pads), fused ReLU, standalone BN, same MaxPool, Flatten', async () => {
  const random = seededRandom(3);
  const input = tf.input({ shape: [10, 10, 3], name: 'input' });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'c1' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn' }).apply(x) as tf.SymbolicTensor; // after a ReLU: not foldable
  x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same', name: 'mp' }).apply(x) as tf.SymbolicTensor;
  const flat = tf.layers.flatten({ name: 'flat' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'probs' }).apply(flat) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: [out, x] });
  const bn = model.getLayer('bn');
  bn.setWeights(bn.getWeights().map((w, i) => tf.tensor1d(Array.from({ length: w.size }, () => (i === 3 ? 0.5 : -0.5) + random()))));

  // 10 px: conv 'same' stride 2 pads (0, 1), MaxPool 'same' 5 → 3 pads (0, 1): TF puts the odd pixel after.
  const data = Float32Array.from({ length: 2 * 10 * 10 * 3 }, () => random() * 2 - 1);
  const session = await ort.InferenceSession.create(exportOnnx(model));
  const result = await session.run({ input: new ort.Tensor('float32', data, [2, 10, 10, 3]) });
  const expected = model.predict(tf.tensor4d(data, [2, 10, 10, 3])) as tf.Tensor[];
  expect(maxAbsDiff(result.probs.data as Float32Array, expected[0].dataSync())).toBeLessThan(1e-5);
  expect(result.mp.dims).toEqual([2, 3, 3, 4]); // 4-D outputs come back NHWC
  expect(maxAbsDiff(result.mp.data as Float32Array, expected[1].dataSync())).toBeLessThan(1e-5);
  await session.release();
});

test('refuses a layer class it does not know, naming the layer and the class', () => {
  const input = tf.input({ shape: [8, 8, 3] });
  const y = tf.layers.depthwiseConv2d({ kernelSize: 3, name: 'dw' }).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: y });
  expect(() => exportOnnx(model)).toThrow(OnnxExportError);
  expect(() => exportOnnx(model)).toThrow(/layer 'dw' has class DepthwiseConv2D, which the ONNX exporter does not support/);
});

test('refuses an activation it does not know', () => {
  const input = tf.input({ shape: [4] });
  const y = tf.layers.dense({ units: 2, activation: 'elu', name: 'head' }).apply(input) as tf.SymbolicTensor;
  expect(() => exportOnnx(tf.model({ inputs: input, outputs: y }))).toThrow(/expected a fixed NHWC image input/);
  const image = tf.input({ shape: [4, 4, 3] });
  const act = tf.layers.activation({ activation: 'elu', name: 'act' }).apply(image) as tf.SymbolicTensor;
  expect(() => exportOnnx(tf.model({ inputs: image, outputs: act }))).toThrow(/layer 'act' \(Activation\): activation 'elu'/);
});

test('foldBatchNorm: W′ = s·W, b′ = (b − μ)·s + β with s = γ/√(σ² + ε)', () => {
  const folded = foldBatchNorm(
    { weight: Float32Array.of(1, 2, 3, 4), bias: Float32Array.of(0.5, -1) }, // two outputs × two inputs
    { gamma: Float32Array.of(2, 0.5), beta: Float32Array.of(0.1, 0.2), mean: Float32Array.of(1, -1), variance: Float32Array.of(3, 0), epsilon: 1 },
  );
  const s0 = 2 / 2;
  const s1 = 0.5 / 1;
  expect(Array.from(folded.weight)).toEqual([1 * s0, 2 * s0, 3 * s1, 4 * s1]);
  expect(folded.bias[0]).toBeCloseTo((0.5 - 1) * s0 + 0.1, 6);
  expect(folded.bias[1]).toBeCloseTo((-1 + 1) * s1 + 0.2, 6);
});
