/** Shared pieces of the wasm gradient-kernel tests: cpu reference runs, magnitudes, a separable toy dataset. */
import * as tf from '@tensorflow/tfjs';

/** Runs `make` on the cpu backend and hands back plain arrays, so the wasm side starts from the same numbers. */
export async function onCpu<T>(make: () => T): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return make();
  } finally {
    await tf.setBackend('wasm');
  }
}

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** Two separable classes of 12 x 12 x 3 images: bright top half versus bright bottom half. */
export function halves(n: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  return tf.tidy(() => {
    const rows = tf.range(0, 12).reshape([1, 12, 1, 1]);
    const top = tf.less(rows, 6).cast('float32');
    const labels = tf.range(0, n).mod(2);
    const mask = tf.where(labels.reshape([n, 1, 1, 1]).cast('bool'), tf.sub(1, top), top);
    const noise = tf.randomUniform([n, 12, 12, 3], 0, 0.3, 'float32', 5);
    return { xs: tf.add(mask, noise) as tf.Tensor4D, ys: tf.oneHot(labels.cast('int32'), 2).cast('float32') as tf.Tensor2D };
  });
}

/** model.fit on the halves task lowers the loss and moves the first layer's kernel (its gradient went through our kernels). */
export async function expectFitTrains(model: tf.LayersModel): Promise<void> {
  model.compile({ optimizer: tf.train.adam(0.03), loss: 'categoricalCrossentropy' });
  const { xs, ys } = halves(16);
  const kernel = model.layers[0].getWeights()[0];
  const firstKernel = kernel.dataSync().slice();
  const history = await model.fit(xs, ys, { epochs: 40, batchSize: 16, shuffle: false, verbose: 0 });
  const loss = history.history.loss as number[];
  expect(loss[loss.length - 1]).toBeLessThan(loss[0] * 0.7);
  expect(maxAbs(tf.sub(model.layers[0].getWeights()[0], tf.tensor(firstKernel, kernel.shape)).dataSync())).toBeGreaterThan(1e-3);
  tf.dispose([xs, ys]);
  model.dispose();
}

/** optimizer.minimize steps leak no tensor, byte or backend buffer, and lower the loss. */
export function expectMinimizeLeakFree(model: tf.LayersModel): void {
  const { xs, ys } = halves(8);
  const optimizer = tf.train.adam(0.01);
  const lossOf = () => tf.metrics.categoricalCrossentropy(ys, model.apply(xs) as tf.Tensor).mean() as tf.Scalar;
  const first = optimizer.minimize(lossOf, true) as tf.Scalar; // creates Adam's slots
  const initial = first.dataSync()[0];
  first.dispose();
  const tensors = tf.memory().numTensors;
  const bytes = tf.memory().numBytes;
  const buffers = tf.backend().numDataIds();
  let last = initial;
  for (let i = 0; i < 10; i++) {
    const loss = optimizer.minimize(lossOf, true) as tf.Scalar;
    last = loss.dataSync()[0];
    loss.dispose();
  }
  expect(tf.memory().numTensors).toBe(tensors);
  expect(tf.memory().numBytes).toBe(bytes);
  expect(tf.backend().numDataIds()).toBe(buffers);
  expect(last).toBeLessThan(initial);
  optimizer.dispose();
  tf.dispose([xs, ys]);
  model.dispose();
}
