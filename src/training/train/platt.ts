/**
 * Probability calibration of the cancer head (Platt scaling, 1999): fit p' = sigmoid(a·z + c), z = logit(p), on the
 * validation split, then fold a and c into the head so every engine and the CAM serve calibrated numbers. Training
 * on balanced batches shifts the head's prior; without this a study threshold such as 0.5 would not mean 50 %.
 */
import * as tf from '@tensorflow/tfjs';

export interface Platt {
  scale: number;
  offset: number;
}

const logit = (p: number): number => {
  const q = Math.min(1 - 1e-7, Math.max(1e-7, p));
  return Math.log(q / (1 - q));
};
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Negative log-likelihood of targets t under sigmoid(a·z + c), computed stably. */
function loss(z: number[], t: number[], a: number, c: number): number {
  let sum = 0;
  for (let i = 0; i < z.length; i++) {
    const f = a * z[i] + c;
    // −[t log σ(f) + (1 − t) log(1 − σ(f))] = log(1 + e^f) − t·f
    sum += (f > 0 ? f + Math.log1p(Math.exp(-f)) : Math.log1p(Math.exp(f))) - t[i] * f;
  }
  return sum;
}

/**
 * Newton's method with backtracking line search on the two-parameter logistic likelihood, with Platt's target
 * smoothing (Lin, Lin & Weng 2007 give this robust form): a full Newton step from an overconfident start, where
 * σ'(f) ≈ 0, would overshoot without the line search.
 */
export function fitPlatt(labels: number[], probs: number[], iterations = 100): Platt {
  const positives = labels.filter((l) => l === 1).length;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return { scale: 1, offset: 0 };
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  const z = probs.map(logit);
  const t = labels.map((l) => (l === 1 ? hi : lo));
  let a = 1;
  let c = 0;
  let current = loss(z, t, a, c);
  for (let it = 0; it < iterations; it++) {
    let ga = 0;
    let gc = 0;
    let haa = 1e-12;
    let hac = 0;
    let hcc = 1e-12;
    for (let i = 0; i < z.length; i++) {
      const p = sigmoid(a * z[i] + c);
      const d = p - t[i];
      const w = p * (1 - p);
      ga += d * z[i];
      gc += d;
      haa += w * z[i] * z[i];
      hac += w * z[i];
      hcc += w;
    }
    if (Math.abs(ga) < 1e-7 * z.length && Math.abs(gc) < 1e-7 * z.length) break;
    const det = haa * hcc - hac * hac;
    const da = (hcc * ga - hac * gc) / det;
    const dc = (haa * gc - hac * ga) / det;
    let step = 1;
    let next = loss(z, t, a - da, c - dc);
    while (next > current && step > 1e-10) {
      step /= 2;
      next = loss(z, t, a - step * da, c - step * dc);
    }
    if (next > current) break;
    a -= step * da;
    c -= step * dc;
    current = next;
  }
  return { scale: a, offset: c };
}

export function applyPlatt(p: number, platt: Platt): number {
  return sigmoid(platt.scale * logit(p) + platt.offset);
}

/**
 * Folds the calibration into the softmax head [normal, cancer]: the logit difference d = (w1 − w0)·g + (b1 − b0)
 * becomes a·d + c by moving only the cancer column: w1' = w0 + a(w1 − w0), b1' = b0 + a(b1 − b0) + c.
 */
export function foldPlattIntoHead(model: tf.LayersModel, platt: Platt, layerName = 'cancer'): void {
  const layer = model.getLayer(layerName);
  const [kernel, bias] = layer.getWeights();
  const k = kernel.arraySync() as number[][];
  const b = bias.arraySync() as number[];
  const newKernel = k.map(([w0, w1]) => [w0, w0 + platt.scale * (w1 - w0)]);
  const newBias = [b[0], b[0] + platt.scale * (b[1] - b[0]) + platt.offset];
  layer.setWeights([tf.tensor2d(newKernel), tf.tensor1d(newBias)]);
}
