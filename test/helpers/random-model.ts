/**
 * Test support: a small ResNet50 whose BatchNormalization layers carry random statistics, so an exporter that
 * ignored or mis-folded them would fail parity (freshly built BNs are identities: mean 0, variance 1, γ 1, β 0).
 */
import * as tf from '@tensorflow/tfjs';
import { buildGastricResNet50 } from '../../src/inference/model/resnet50';

/** mulberry32: tiny, fast, deterministic. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomImages(n: number, size: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n * size * size * 3 }, () => random() * 2 - 1);
}

/**
 * Random BN statistics and affine parameters. The last BN of each residual branch (`_3_bn`, and the projection
 * `_0_bn`) gets a small γ so sixteen residual additions do not blow activations up: features stay O(1–10), where a
 * 1e-4 absolute parity check is meaningful for float32.
 */
export function randomiseBatchNorm(model: tf.LayersModel, seed: number): void {
  const random = seededRandom(seed);
  const uniform = (n: number, lo: number, hi: number) => tf.tensor1d(Float32Array.from({ length: n }, () => lo + (hi - lo) * random()));
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const n = layer.getWeights()[0].shape[0];
    const residual = /_(0|3)_bn$/.test(layer.name);
    const values = layer.weights.map((w) => {
      switch (w.originalName.split('/').pop()) {
        case 'gamma': return residual ? uniform(n, 0.1, 0.4) : uniform(n, 0.5, 1.5);
        case 'beta': return uniform(n, -0.3, 0.3);
        case 'moving_mean': return uniform(n, -0.3, 0.3);
        case 'moving_variance': return uniform(n, 0.5, 2);
        default: throw new Error(`unexpected BN weight ${w.originalName}`);
      }
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** buildGastricResNet50 at `size` px with random BN parameters. */
export function randomGastricModel(size: number, seed: number): tf.LayersModel {
  const model = buildGastricResNet50({ inputSize: size, seed });
  randomiseBatchNorm(model, seed + 1);
  return model;
}
