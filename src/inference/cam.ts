/**
 * Class activation maps (Zhou et al. 2016) for the cancer head, from the last-block features and the head's weights:
 * no gradients, so every engine can produce them.
 *
 * The head is softmax(W·GAP(f) + b) over [normal, cancer]. Its logit difference is linear in the features, so it can
 * be spread over the feature grid:
 *   M(y, x) = Σ_k (W[k,1] − W[k,0]) · f_k(y, x) + (b1 − b0),
 * and because GAP is a mean, mean_{y,x} M = logit1 − logit0 = log(p1 / p0) of the image. sigmoid(M) is then a
 * per-location cancer probability on the same scale as the image's p(cancer) = sigmoid(logit1 − logit0).
 */
import type * as tf from '@tensorflow/tfjs';
import type { EngineOutput } from './engine';

export interface CancerHead {
  /** Per channel k: W[k,1] − W[k,0]. */
  weightDiff: Float32Array;
  /** b1 − b0. */
  biasDiff: number;
}

export interface ActivationMap {
  height: number;
  width: number;
  /** Row-major h × w logit difference M. */
  logit: Float32Array;
  /** sigmoid(M). */
  probability: Float32Array;
}

/** Reads W and b of the model's `cancer` Dense layer (kernel [C, 2], bias [2]). */
export function cancerHeadWeights(model: tf.LayersModel, layerName = 'cancer'): CancerHead {
  const layer = model.getLayer(layerName);
  if (layer.getClassName() !== 'Dense') throw new Error(`layer ${layerName} is a ${layer.getClassName()}, not Dense`);
  const [kernel, bias] = layer.getWeights();
  const [channels, units] = kernel.shape;
  if (units !== 2) throw new Error(`cancer head has ${units} units, expected 2 (normal, cancer)`);
  const w = kernel.dataSync();
  const b = bias ? bias.dataSync() : new Float32Array(2);
  const weightDiff = new Float32Array(channels);
  for (let k = 0; k < channels; k++) weightDiff[k] = w[k * 2 + 1] - w[k * 2];
  return { weightDiff, biasDiff: b[1] - b[0] };
}

/** The map of image `index` in a batch output (features NHWC). */
export function cancerActivationMap(output: Pick<EngineOutput, 'features' | 'featureShape'>, head: CancerHead,
  index = 0): ActivationMap {
  const [height, width, channels] = output.featureShape;
  if (head.weightDiff.length !== channels) {
    throw new Error(`cancer head expects ${head.weightDiff.length} channels, features have ${channels}`);
  }
  const cells = height * width;
  const base = index * cells * channels;
  if (index < 0 || base + cells * channels > output.features.length) throw new RangeError(`no image ${index} in the batch`);
  const logit = new Float32Array(cells);
  const probability = new Float32Array(cells);
  for (let cell = 0; cell < cells; cell++) {
    const at = base + cell * channels;
    let sum = head.biasDiff;
    for (let k = 0; k < channels; k++) sum += head.weightDiff[k] * output.features[at + k];
    logit[cell] = sum;
    probability[cell] = 1 / (1 + Math.exp(-sum));
  }
  return { height, width, logit, probability };
}

/**
 * Share of the map's logit range (from its minimum) a cell must reach to belong to the localisation focus. A
 * calibrated CAM of a clearly positive image is above 0.5 almost everywhere, so a probability threshold alone outlines
 * half the picture; like CAM's own boxes (Zhou et al. 2016: 20 % of the maximum), the region is taken relative to
 * the peak — here the upper half of the range, because a 7 × 7 grid is coarse.
 */
export const CAM_FOCUS_FRACTION = 0.5;

/** The map's probabilities inside its focus (logit in the upper CAM_FOCUS_FRACTION of its range), 0 elsewhere. */
export function focusedProbability(map: ActivationMap, fraction = CAM_FOCUS_FRACTION): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of map.logit) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const cut = lo + fraction * (hi - lo);
  return map.probability.map((p, i) => (map.logit[i] >= cut ? p : 0));
}
