/**
 * ROC analysis of a binary cancer classifier (image or study level).
 *
 * - rocCurve: one operating point per distinct score, so tied scores move the curve diagonally
 *   (Fawcett 2006, "An introduction to ROC analysis", Algorithm 2) instead of in an order-dependent staircase.
 * - auroc: the Mann–Whitney U statistic divided by n1·n0, i.e. P(score of a cancer > score of a
 *   non-cancer) with ties counted 1/2 (Hanley & McNeil 1982). It equals the trapezoid area under rocCurve exactly.
 * - bootstrapAurocCi: percentile bootstrap CI (Efron & Tibshirani 1993). With `groups` (patient IDs)
 *   whole groups are resampled (cluster bootstrap; Field & Welsh 2007): images of one patient are
 *   correlated, and resampling them independently gives intervals that are too narrow.
 */
import { createRng } from '../../synth/rng';
import { checkBinaryLabels, checkFinite, checkSameLength, MetricInputError } from './errors';
import { checkLevel, percentileInterval } from './percentile';

export interface RocPoint {
  /** False-positive rate, 1 − specificity. */
  fpr: number;
  /** True-positive rate, sensitivity. */
  tpr: number;
  /** Scores >= threshold are called positive; the first point (0, 0) has threshold +Infinity. */
  threshold: number;
}

/** Scores sorted ascending and cut into runs of equal score: the shared basis of the curve and the AUROC. */
interface TieGroups {
  /** Indices into the inputs, ordered by ascending score. */
  order: Uint32Array;
  /** Run k covers order[starts[k]] .. order[starts[k + 1] - 1]; length = runs + 1. */
  starts: Uint32Array;
}

function checkInputs(what: string, labels: readonly number[], scores: readonly number[]): void {
  checkSameLength(what, labels, scores);
  checkBinaryLabels(what, labels);
  checkFinite(what, scores);
  let positives = 0;
  for (const y of labels) positives += y;
  if (positives === 0 || positives === labels.length) {
    throw new MetricInputError(`${what}: needs at least one positive and one negative case (${positives} of ${labels.length} positive)`);
  }
}

function tieGroups(scores: readonly number[]): TieGroups {
  const order = Uint32Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b] || a - b);
  const starts: number[] = [0];
  for (let i = 1; i < order.length; i++) {
    if (scores[order[i]] !== scores[order[i - 1]]) starts.push(i);
  }
  starts.push(order.length);
  return { order, starts: Uint32Array.from(starts) };
}

/** ROC curve from (0, 0) to (1, 1), one point per distinct score, thresholds descending. */
export function rocCurve(labels: readonly number[], scores: readonly number[]): RocPoint[] {
  checkInputs('rocCurve', labels, scores);
  const { order, starts } = tieGroups(scores);
  let positives = 0;
  for (const y of labels) positives += y;
  const negatives = labels.length - positives;

  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0;
  let fp = 0;
  // Walk the runs from the highest score down: lowering the threshold past a run admits all of it at once.
  for (let k = starts.length - 2; k >= 0; k--) {
    for (let i = starts[k]; i < starts[k + 1]; i++) {
      if (labels[order[i]] === 1) tp++;
      else fp++;
    }
    points.push({ fpr: fp / negatives, tpr: tp / positives, threshold: scores[order[starts[k]]] });
  }
  return points;
}

/** Trapezoid-rule area under a curve given as points sorted by fpr (as rocCurve returns them). */
export function trapezoidArea(points: readonly RocPoint[]): number {
  let area = 0;
  for (let i = 1; i < points.length; i++) {
    area += ((points[i].fpr - points[i - 1].fpr) * (points[i].tpr + points[i - 1].tpr)) / 2;
  }
  return area;
}

/**
 * Weighted Mann–Whitney AUROC: sum over (positive, negative) pairs of w_p·w_n·[s_p > s_n] + ½[s_p = s_n],
 * over (sum of positive weights)·(sum of negative weights). Integer weights are bootstrap
 * multiplicities, so one pre-sort serves every resample in O(n). Returns null when a class has weight 0.
 */
function weightedAuroc(labels: readonly number[], ties: TieGroups, weights: ArrayLike<number> | null): number | null {
  const { order, starts } = ties;
  let negBelow = 0;
  let posTotal = 0;
  let pairs = 0;
  for (let k = 0; k + 1 < starts.length; k++) {
    let pos = 0;
    let neg = 0;
    for (let i = starts[k]; i < starts[k + 1]; i++) {
      const j = order[i];
      const w = weights === null ? 1 : weights[j];
      if (labels[j] === 1) pos += w;
      else neg += w;
    }
    pairs += pos * (negBelow + 0.5 * neg);
    negBelow += neg;
    posTotal += pos;
  }
  return posTotal === 0 || negBelow === 0 ? null : pairs / (posTotal * negBelow);
}

/** Area under the ROC curve (Mann–Whitney, ties count ½). Throws unless both classes are present. */
export function auroc(labels: readonly number[], scores: readonly number[]): number {
  checkInputs('auroc', labels, scores);
  return weightedAuroc(labels, tieGroups(scores), null) as number;
}

export interface BootstrapOptions {
  /** Number of resamples drawn (default 2000). */
  iterations?: number;
  /** Seed for createRng: the same seed gives the same interval. */
  seed: number;
  /** Central coverage of the interval (default 0.95). */
  level?: number;
  /** One cluster id per case (e.g. patient ID): resample clusters with replacement instead of cases. */
  groups?: readonly string[];
}

export interface BootstrapCi {
  /** AUROC of the full sample. */
  estimate: number;
  /** Percentile bounds; null only when every resample was skipped. */
  lower: number | null;
  upper: number | null;
  level: number;
  /** Resampled unit: single cases, or whole clusters when `groups` was given. */
  resampling: 'cases' | 'clusters';
  /** How many units were resampled (cases, or distinct group ids). */
  units: number;
  iterations: number;
  /** Resamples that contained both classes and entered the interval. */
  used: number;
  /** Resamples with only one class, where AUROC is undefined: left out and counted. */
  skipped: number;
}

/** Percentile bootstrap CI of the AUROC, optionally resampling clusters (patients) rather than images. */
export function bootstrapAurocCi(labels: readonly number[], scores: readonly number[], options: BootstrapOptions): BootstrapCi {
  const { iterations = 2000, seed, level = 0.95, groups } = options;
  checkInputs('bootstrapAurocCi', labels, scores);
  checkLevel(level);
  if (!Number.isInteger(iterations) || iterations < 1) throw new MetricInputError(`bootstrapAurocCi: iterations = ${iterations}, expected a positive integer`);

  // unitOf[i]: the resampling unit of case i (itself, or its cluster).
  const n = labels.length;
  const unitOf = new Uint32Array(n);
  let units = n;
  if (groups === undefined) {
    for (let i = 0; i < n; i++) unitOf[i] = i;
  } else {
    checkSameLength('bootstrapAurocCi groups', labels, groups);
    const ids = new Map<string, number>();
    groups.forEach((g, i) => {
      let u = ids.get(g);
      if (u === undefined) ids.set(g, (u = ids.size));
      unitOf[i] = u;
    });
    units = ids.size;
  }

  const ties = tieGroups(scores);
  const rng = createRng(seed);
  const unitDraws = new Uint32Array(units);
  const weights = new Uint32Array(n);
  const sample: number[] = [];
  let skipped = 0;
  for (let it = 0; it < iterations; it++) {
    unitDraws.fill(0);
    for (let d = 0; d < units; d++) unitDraws[rng.int(0, units - 1)]++;
    for (let i = 0; i < n; i++) weights[i] = unitDraws[unitOf[i]];
    const value = weightedAuroc(labels, ties, weights);
    if (value === null) skipped++;
    else sample.push(value);
  }

  const interval = sample.length > 0 ? percentileInterval(sample, level) : null;
  return {
    estimate: weightedAuroc(labels, ties, null) as number,
    lower: interval?.lower ?? null,
    upper: interval?.upper ?? null,
    level,
    resampling: groups === undefined ? 'cases' : 'clusters',
    units,
    iterations,
    used: sample.length,
    skipped,
  };
}
