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
