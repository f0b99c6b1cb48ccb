/** Conv2DBackpropFilter on wasm: equal to the cpu kernel, trains conv layers (fused path included), leaks nothing. */
import * as tf from '@tensorflow/tfjs';
import { initTfjsBackend } from '../../src/inference/engines/tfjs-backend';
import { registerWasmConv2DBackpropFilter } from '../../src/training/wasm-conv-grad';
import { expectFitTrains, expectMinimizeLeakFree, maxAbs, onCpu } from '../helpers/tf-wasm';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
interface Case {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}

const CASES: Case[] = [
  { name: '1x1 stride 1', x: [3, 6, 6, 16], filter: [1, 1, 16, 24], strides: 1, pad: 'valid' },
  { name: '1x1 stride 2', x: [3, 7, 7, 16], filter: [1, 1, 16, 24], strides: 2, pad: 'valid' },
  { name: '3x3 same stride 1', x: [2, 7, 7, 12], filter: [3, 3, 12, 10], strides: 1, pad: 'same' },
  { name: '3x3 same stride 2 (even edge)', x: [2, 8, 8, 12], filter: [3, 3, 12, 10], strides: 2, pad: 'same' },
  { name: '3x3 same stride 2 (odd edge)', x: [2, 9, 9, 12], filter: [3, 3, 12, 10], strides: 2, pad: 'same' },
  { name: '7x7 same stride 2, 3 channels (conv1)', x: [2, 32, 32, 3], filter: [7, 7, 3, 16], strides: 2, pad: 'same' },
  { name: '3x3 valid stride 1', x: [2, 9, 8, 5], filter: [3, 3, 5, 6], strides: 1, pad: 'valid' },
  { name: '3x2 valid strides [2, 1]', x: [2, 9, 8, 5], filter: [3, 2, 5, 6], strides: [2, 1], pad: 'valid' },
  { name: '3x3 explicit padding', x: [2, 6, 6, 4], filter: [3, 3, 4, 5], strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
];

function backpropFilter(x: tf.Tensor, dy: tf.Tensor, c: Case, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): tf.Tensor4D {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy },
    { strides: c.strides, pad: c.pad, dataFormat, filterShape: c.filter } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

beforeAll(async () => {
  expect(await initTfjsBackend()).toBe('wasm');
  registerWasmConv2DBackpropFilter();
  registerWasmConv2DBackpropFilter(); // idempotent
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

test.each(CASES)('matches the cpu kernel: $name', async (c) => {
  const ref = await onCpu(() => tf.tidy(() => {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', 7);
    const out = tf.conv2d(x as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.strides, c.pad);
    const dy = tf.randomNormal(out.shape, 0, 1, 'float32', 8);
    return { x: x.dataSync().slice(), dy: dy.dataSync().slice(), dyShape: dy.shape, dw: backpropFilter(x, dy, c).dataSync().slice() };
  }));
  expect(tf.getBackend()).toBe('wasm');
  const x = tf.tensor(ref.x, c.x);
  const dy = tf.tensor(ref.dy, ref.dyShape);
  const tensors = tf.memory().numTensors;
  const bytes = tf.memory().numBytes;
  const buffers = tf.backend().numDataIds();

  const dw = backpropFilter(x, dy, c);
  expect(dw.shape).toEqual(c.filter);
  const got = dw.dataSync();
  let diff = 0;
  for (let i = 0; i < got.length; i++) diff = Math.max(diff, Math.abs(got[i] - ref.dw[i]));
  expect(diff).toBeLessThan(1e-3 * Math.max(1, maxAbs(ref.dw)));

  dw.dispose();
  expect(tf.memory().numTensors).toBe(tensors);
  expect(tf.memory().numBytes).toBe(bytes);
  expect(tf.backend().numDataIds()).toBe(buffers); // the kernel's own intermediates are freed too
  tf.dispose([x, dy]);
});

test('NCHW inputs give the NHWC result', () => {
  const c = CASES[3];
  const x = tf.randomNormal(c.x, 0, 1, 'float32', 3);
  const dy = tf.randomNormal([2, 4, 4, 10], 0, 1, 'float32', 4);
  const nhwc = backpropFilter(x, dy, c);
  const nchw = backpropFilter(x.transpose([0, 3, 1, 2]), dy.transpose([0, 3, 1, 2]), c, 'NCHW');
  expect(maxAbs(tf.sub(nhwc, nchw).dataSync())).toBeLessThan(1e-4);
  tf.dispose([x, dy, nhwc, nchw]);
});

test('the fused conv gradient (bias + relu) equals the cpu one', async () => {
  const grads = () => tf.tidy(() => {
    const x = tf.randomNormal([2, 9, 9, 6], 0, 1, 'float32', 11) as tf.Tensor4D;
    const filter = tf.randomNormal([3, 3, 6, 8], 0, 0.3, 'float32', 12) as tf.Tensor4D;
    const bias = tf.randomNormal([8], 0, 0.1, 'float32', 13) as tf.Tensor1D;
    const f = (w: tf.Tensor, b: tf.Tensor) =>
      tf.fused.conv2d({ x, filter: w as tf.Tensor4D, bias: b, strides: 2, pad: 'same', activation: 'relu' }).square().sum();
    return tf.grads(f)([filter, bias]).map((g) => g.dataSync().slice());
  });
  const ref = await onCpu(grads);
  const got = grads();
  for (let i = 0; i < ref.length; i++) {
    let diff = 0;
    for (let j = 0; j < ref[i].length; j++) diff = Math.max(diff, Math.abs(got[i][j] - ref[i][j]));
    expect(diff).toBeLessThan(1e-3 * Math.max(1, maxAbs(ref[i])));
  }
});

function smallConvNet(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 8, kernelSize: 3, strides: 2, padding: 'same',
        activation: 'relu', useBias: true, kernelInitializer: init(1) }),
      tf.layers.conv2d({ filters: 8, kernelSize: 1, activation: 'relu', useBias: true, kernelInitializer: init(2) }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(3) }),
    ],
  });
}

test('a tf.layers conv net trains on wasm with model.fit, and its loss falls', async () => {
  await expectFitTrains(smallConvNet());
});

test('optimizer.minimize steps leak no tensor, byte or buffer and lower the loss', () => {
  expectMinimizeLeakFree(smallConvNet());
});
