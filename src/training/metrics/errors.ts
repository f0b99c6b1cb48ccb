/**
 * Input checks shared by the evaluation metrics. A metric given malformed input (labels other than
 * 0/1, scores that are not finite, arrays of different lengths) throws instead of quietly returning NaN:
 * a wrong number in an evaluation report is worse than a failed `gastric-ai evaluate` run.
 */
export class MetricInputError extends Error {
  override readonly name = 'MetricInputError';
}

/** Binary ground truth: 1 = cancer, 0 = no cancer. */
export type BinaryLabel = 0 | 1;

export function checkSameLength(what: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) throw new MetricInputError(`${what}: lengths differ (${a.length} vs ${b.length})`);
}

export function checkBinaryLabels(what: string, labels: ArrayLike<number>): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new MetricInputError(`${what}: labels[${i}] = ${labels[i]}, expected 0 or 1`);
  }
}

export function checkFinite(what: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new MetricInputError(`${what}: value [${i}] = ${values[i]} is not finite`);
  }
}

export function checkProbabilities(what: string, probs: ArrayLike<number>): void {
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    if (!(p >= 0 && p <= 1)) throw new MetricInputError(`${what}: probability [${i}] = ${p} is outside [0, 1]`);
  }
}

/** numerator / denominator, or null when the ratio is undefined (0/0 and x/0): never NaN or Infinity. */
export function ratioOrNull(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}
