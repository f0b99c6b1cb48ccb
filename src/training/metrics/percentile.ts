/**
 * Quantiles for percentile bootstrap intervals (Efron & Tibshirani 1993, "An Introduction to the
 * Bootstrap", ch. 13): the CI is the (1 - level)/2 and (1 + level)/2 quantiles of the bootstrap
 * distribution. Quantiles interpolate linearly between order statistics (Hyndman & Fan 1996,
 * definition 7, the default of R's quantile() and NumPy's percentile), so results match those tools.
 */
import { MetricInputError } from './errors';

export interface Interval {
  lower: number;
  upper: number;
}

/** The q-quantile (0 <= q <= 1) of values already sorted ascending; Hyndman & Fan type 7. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new MetricInputError('quantile of an empty sample');
  if (!(q >= 0 && q <= 1)) throw new MetricInputError(`quantile: q = ${q} is outside [0, 1]`);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Central percentile interval holding `level` (e.g. 0.95) of the sample's mass. */
export function percentileInterval(sample: readonly number[], level: number): Interval {
  checkLevel(level);
  const sorted = Float64Array.from(sample).sort();
  return {
    lower: quantileSorted(sorted, (1 - level) / 2),
    upper: quantileSorted(sorted, (1 + level) / 2),
  };
}

export function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new MetricInputError(`confidence level ${level} must lie strictly between 0 and 1`);
}
