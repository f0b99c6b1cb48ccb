/**
 * Calibration of the cancer probability: does "0.8" mean cancer in 80 % of such cases?
 *
 * - reliabilityCurve: B equal-width bins over [0, 1] (DeGroot & Fienberg 1983 reliability diagram);
 *   per bin the number of cases, mean predicted probability and observed fraction of cancers.
 * - ECE, expected calibration error: Σ_b (n_b / n)·|observed_b − meanPredicted_b|
 *   (Naeini, Cooper & Hauskrecht 2015; Guo et al. 2017, "On Calibration of Modern Neural Networks").
 * - brierScore: mean squared error of the probability against the 0/1 outcome (Brier 1950).
 */
import { checkBinaryLabels, checkProbabilities, checkSameLength, MetricInputError } from './errors';

export interface ReliabilityBin {
  /** Bin edges; every bin is [lower, upper) except the last, which includes 1. */
  lower: number;
  upper: number;
  count: number;
  /** Null for an empty bin. */
  meanPredicted: number | null;
  observedFraction: number | null;
}

export interface ReliabilityCurve {
  bins: ReliabilityBin[];
  /** Expected calibration error, weighted by bin counts; 0 = perfectly calibrated at this binning. */
  ece: number;
  /** Largest |observed − predicted| over non-empty bins (maximum calibration error, Naeini et al.). */
  mce: number;
}

function checkInputs(what: string, labels: readonly number[], probs: readonly number[]): void {
  checkSameLength(what, labels, probs);
  checkBinaryLabels(what, labels);
  checkProbabilities(what, probs);
  if (labels.length === 0) throw new MetricInputError(`${what}: no cases`);
}

/** Reliability curve with `binCount` equal-width bins (default 10), plus ECE and MCE. */
export function reliabilityCurve(labels: readonly number[], probs: readonly number[], binCount = 10): ReliabilityCurve {
  checkInputs('reliabilityCurve', labels, probs);
  if (!Number.isInteger(binCount) || binCount < 1) throw new MetricInputError(`reliabilityCurve: ${binCount} bins, expected a positive integer`);
  const counts = new Array<number>(binCount).fill(0);
  const sumPredicted = new Array<number>(binCount).fill(0);
  const sumObserved = new Array<number>(binCount).fill(0);
  for (let i = 0; i < labels.length; i++) {
    // p = 1 belongs to the last bin, which is closed on the right.
    const b = Math.min(Math.floor(probs[i] * binCount), binCount - 1);
    counts[b]++;
    sumPredicted[b] += probs[i];
    sumObserved[b] += labels[i];
  }

  const n = labels.length;
  let ece = 0;
  let mce = 0;
  const bins = counts.map((count, b): ReliabilityBin => {
    const bin: ReliabilityBin = {
      lower: b / binCount,
      upper: (b + 1) / binCount,
      count,
      meanPredicted: count > 0 ? sumPredicted[b] / count : null,
      observedFraction: count > 0 ? sumObserved[b] / count : null,
    };
    if (count > 0) {
      const gap = Math.abs((bin.observedFraction as number) - (bin.meanPredicted as number));
      ece += (count / n) * gap;
      mce = Math.max(mce, gap);
    }
    return bin;
  });
  return { bins, ece, mce };
}

/** Expected calibration error with `binCount` equal-width bins (default 10). */
export function expectedCalibrationError(labels: readonly number[], probs: readonly number[], binCount = 10): number {
  return reliabilityCurve(labels, probs, binCount).ece;
}

/** Brier score: mean (p − y)²; 0 is perfect, 0.25 is an uninformative constant 0.5. */
export function brierScore(labels: readonly number[], probs: readonly number[]): number {
  checkInputs('brierScore', labels, probs);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += (probs[i] - labels[i]) ** 2;
  return sum / labels.length;
}
