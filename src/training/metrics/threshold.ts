/**
 * Operating-point metrics of the binary classifier at one probability threshold
 * (probability >= threshold is called cancer), each proportion with a Wilson score interval.
 *
 * Wilson (1927) rather than the Wald interval p ± z·sqrt(p(1−p)/n): Wald collapses to zero width at
 * p = 0 or 1 and undercovers badly for the small n of a per-stage or per-site subgroup
 * (Brown, Cai & DasGupta 2001, "Interval Estimation for a Binomial Proportion").
 */
import { checkBinaryLabels, checkFinite, checkSameLength, MetricInputError, ratioOrNull } from './errors';
import { checkLevel, Interval } from './percentile';

export interface ConfusionCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** A proportion successes/trials with its Wilson interval; value and ci are null when trials = 0. */
export interface Proportion {
  value: number | null;
  successes: number;
  trials: number;
  ci: Interval | null;
}

export interface ThresholdMetrics {
  threshold: number;
  counts: ConfusionCounts;
  /** tp / (tp + fn), recall. */
  sensitivity: Proportion;
  /** tn / (tn + fp). */
  specificity: Proportion;
  /** Positive predictive value, tp / (tp + fp), precision. */
  ppv: Proportion;
  /** Negative predictive value, tn / (tn + fn). */
  npv: Proportion;
  /** (tp + tn) / n. */
  accuracy: Proportion;
  /** 2tp / (2tp + fp + fn): harmonic mean of PPV and sensitivity; not a binomial proportion, so no Wilson CI. */
  f1: number | null;
}

/** Inverse standard normal CDF (e.g. 0.975 → 1.95996): Acklam's rational approximation, relative error < 1.2e-9. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new MetricInputError(`normalQuantile: p = ${p} is outside (0, 1)`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * Wilson score interval for successes/trials: (p̂ + z²/2n ± z·sqrt(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n).
 * Null when trials = 0. Example: 8/10 at 95 % gives [0.490, 0.943].
 */
export function wilsonInterval(successes: number, trials: number, level = 0.95): Interval | null {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || successes < 0 || successes > trials) {
    throw new MetricInputError(`wilsonInterval: ${successes}/${trials} is not a count out of a total`);
  }
  checkLevel(level);
  if (trials === 0) return null;
  const z = normalQuantile((1 + level) / 2);
  const z2 = z * z;
  const p = successes / trials;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  // Clamp rounding noise: at p̂ = 0 or 1 the exact bound is 0 or 1.
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

export function proportion(successes: number, trials: number, level = 0.95): Proportion {
  return { value: ratioOrNull(successes, trials), successes, trials, ci: wilsonInterval(successes, trials, level) };
}

/** Confusion counts with probability >= threshold called positive. */
export function confusionAtThreshold(labels: readonly number[], probs: readonly number[], threshold: number): ConfusionCounts {
  checkSameLength('confusionAtThreshold', labels, probs);
  checkBinaryLabels('confusionAtThreshold', labels);
  checkFinite('confusionAtThreshold', probs);
  const counts: ConfusionCounts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const called = probs[i] >= threshold;
    if (labels[i] === 1) called ? counts.tp++ : counts.fn++;
    else called ? counts.fp++ : counts.tn++;
  }
  return counts;
}

/** Sensitivity, specificity, PPV, NPV, accuracy (Wilson CIs at `level`) and F1 at one threshold. */
export function thresholdMetrics(labels: readonly number[], probs: readonly number[], threshold: number, level = 0.95): ThresholdMetrics {
  const counts = confusionAtThreshold(labels, probs, threshold);
  const { tp, fp, tn, fn } = counts;
  return {
    threshold,
    counts,
    sensitivity: proportion(tp, tp + fn, level),
    specificity: proportion(tn, tn + fp, level),
    ppv: proportion(tp, tp + fp, level),
    npv: proportion(tn, tn + fn, level),
    accuracy: proportion(tp + tn, tp + fp + tn + fn, level),
    f1: ratioOrNull(2 * tp, 2 * tp + fp + fn),
  };
}
