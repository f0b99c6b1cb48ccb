/** Conv2DBackpropInput on wasm: equal to the cpu kernel (fast and delegated cases), trains conv nets, leaks nothing. */
import * as tf from '@tensorflow/tfjs';
import { initTfjsBackend } from '../../src/inference/engines/tfjs-backend';
import { registerWasmConv2DBackpropFilter } from '../../src/training/wasm-conv-grad';
import { registerWasmConv2DBackpropInput } from '../../src/training/wasm-conv-input-grad';
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
  { name: '1x1 stride 1 same', x: [2, 5, 7, 8], filter: [1, 1, 8, 12], strides: 1, pad: 'same' },
  { name: '1x1 stride 2 valid (even edge)', x: [3, 8, 8, 16], filter: [1, 1, 16, 24], strides: 2, pad: 'valid' },
  { name: '1x1 stride 2 valid (odd edge)', x: [3, 7, 7, 16], filter: [1, 1, 16, 24], strides: 2, pad: 'valid' },
  { name: '1x1 stride 2 same (odd edge)', x: [2, 9, 6, 10], filter: [1, 1, 10, 6], strides: 2, pad: 'same' },
  { name: '1x1 strides [2, 1]', x: [2, 7, 6, 10], filter: [1, 1, 10, 6], strides: [2, 1], pad: 'valid' },
  { name: '3x3 same stride 1', x: [2, 7, 7, 12], filter: [3, 3, 12, 10], strides: 1, pad: 'same' },
  { name: '3x3 valid stride 1', x: [2, 9, 8, 5], filter: [3, 3, 5, 6], strides: 1, pad: 'valid' },
  { name: '2x3 same stride 1 (even kernel)', x: [2, 6, 7, 5], filter: [2, 3, 5, 6], strides: 1, pad: 'same' },
  { name: '3x3 explicit padding stride 1', x: [2, 6, 6, 4], filter: [3, 3, 4, 5], strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  // Delegated to wasm's own kernel.
  { name: '7x7 same stride 2 (conv1, delegated)', x: [2, 32, 32, 3], filter: [7, 7, 3, 16], strides: 2, pad: 'same' },
  { name: '3x3 same stride 2 (delegated)', x: [2, 9, 9, 12], filter: [3, 3, 12, 10], strides: 2, pad: 'same' },
  { name: '3x3 valid stride 2 (delegated)', x: [2, 9, 8, 5], filter: [3, 3, 5, 6], strides: 2, pad: 'valid' },
  { name: '1x1 explicit leading padding (delegated)', x: [2, 5, 5, 4], filter: [1, 1, 4, 3], strides: 1, pad: [[0, 0], [1, 0], [0, 1], [0, 0]] },
];

function backpropInput(dy: tf.Tensor, filter: tf.Tensor, c: Case, inputShape: number[], dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): tf.Tensor4D {
  return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter },
    { strides: c.strides, pad: c.pad, dataFormat, inputShape } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

beforeAll(async () => {
  expect(await initTfjsBackend()).toBe('wasm');
  registerWasmConv2DBackpropFilter();
  const warn = jest.spyOn(console, 'warn');
  const original = tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc;
  registerWasmConv2DBackpropInput();
  const replaced = tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc;
  expect(replaced).toBeDefined();
  expect(replaced).not.toBe(original);
  registerWasmConv2DBackpropInput(); // idempotent
  expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(replaced);
  expect(warn).not.toHaveBeenCalled(); // replaced, not overridden (no "already registered" warning)
  warn.mockRestore();
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

test.each(CASES)('matches the cpu kernel: $name', async (c) => {
  const ref = await onCpu(() => tf.tidy(() => {
    const filter = tf.randomNormal(c.filter, 0, 1, 'float32', 7);
    const out = tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, filter as tf.Tensor4D, c.strides, c.pad);
    const dy = tf.randomNormal(out.shape, 0, 1, 'float32', 8);
    return {
      filter: filter.dataSync().slice(), dy: dy.dataSync().slice(), dyShape: dy.shape,
      dx: backpropInput(dy, filter, c, c.x).dataSync().slice(),
    };
  }));
  expect(tf.getBackend()).toBe('wasm');
  const filter = tf.tensor(ref.filter, c.filter);
  const dy = tf.tensor(ref.dy, ref.dyShape);
  const tensors = tf.memory().numTensors;
  const bytes = tf.memory().numBytes;
  const buffers = tf.backend().numDataIds();

  const dx = backpropInput(dy, filter, c, c.x);
  expect(dx.shape).toEqual(c.x);
  const got = dx.dataSync();
  let diff = 0;
  for (let i = 0; i < got.length; i++) diff = Math.max(diff, Math.abs(got[i] - ref.dx[i]));
  expect(diff).toBeLessThan(1e-3 * Math.max(1, maxAbs(ref.dx)));

  dx.dispose();
  expect(tf.memory().numTensors).toBe(tensors);
  expect(tf.memory().numBytes).toBe(bytes);
  expect(tf.backend().numDataIds()).toBe(buffers); // the kernel's own intermediates are freed too
  tf.dispose([filter, dy]);
});

test('NCHW is delegated and gives the NHWC result', () => {
  const c = CASES[6];
  const filter = tf.randomNormal(c.filter, 0, 1, 'float32', 3);
  const dy = tf.randomNormal([2, 7, 7, 10], 0, 1, 'float32', 4);
  const nhwc = backpropInput(dy, filter, c, c.x);
  const nchw = backpropInput(dy.transpose([0, 3, 1, 2]), filter, c, [2, 12, 7, 7], 'NCHW');
  expect(maxAbs(tf.sub(nhwc, nchw.transpose([0, 2, 3, 1])).dataSync())).toBeLessThan(1e-4);
  tf.dispose([filter, dy, nhwc, nchw]);
});

test('the input gradient through fused convs (bias + relu, stride 2 1x1, 3x3 same) equals the cpu one', async () => {
  const grads = () => tf.tidy(() => {
    const x = tf.randomNormal([2, 9, 9, 6], 0, 1, 'float32', 11) as tf.Tensor4D;
    const w1 = tf.randomNormal([1, 1, 6, 8], 0, 0.3, 'float32', 12) as tf.Tensor4D;
    const w2 = tf.randomNormal([3, 3, 8, 5], 0, 0.3, 'float32', 13) as tf.Tensor4D;
    const bias = tf.randomNormal([8], 0, 0.1, 'float32', 14) as tf.Tensor1D;
    const f = (input: tf.Tensor) => {
      const y = tf.fused.conv2d({ x: input as tf.Tensor4D, filter: w1, bias, strides: 2, pad: 'same', activation: 'relu' });
      return tf.fused.conv2d({ x: y, filter: w2, strides: 1, pad: 'same' }).square().sum();
    };
    return tf.grad(f)(x).dataSync().slice();
  });
  const ref = await onCpu(grads);
  const got = grads();
  let diff = 0;
  for (let j = 0; j < ref.length; j++) diff = Math.max(diff, Math.abs(got[j] - ref[j]));
  expect(diff).toBeLessThan(1e-3 * Math.max(1, maxAbs(ref)));
});

function smallConvNet(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 8, kernelSize: 3, strides: 1, padding: 'same',
        activation: 'relu', useBias: true, kernelInitializer: init(1) }),
      tf.layers.conv2d({ filters: 12, kernelSize: 1, strides: 2, activation: 'relu', useBias: true, kernelInitializer: init(2) }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', useBias: true, kernelInitializer: init(3) }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(4) }),
    ],
  });
}

test('a tf.layers conv net trains on wasm with model.fit, and its loss falls', async () => {
  await expectFitTrains(smallConvNet());
});

test('optimizer.minimize steps leak no tensor, byte or buffer and lower the loss', () => {
  expectMinimizeLeakFree(smallConvNet());
});
