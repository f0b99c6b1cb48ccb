/**
 * Metrics of the 4-class stage head (I–IV as class indices 0–3), or any K-class head.
 *
 * Stage is ordinal, so agreement is summarised with Cohen's quadratic weighted kappa
 * (Cohen 1968, "Weighted kappa"; Fleiss & Cohen 1973 show it equals the intraclass correlation):
 * calling a stage IV cancer stage I costs 9 times more than calling it stage III.
 */
import { checkSameLength, MetricInputError, ratioOrNull } from './errors';

/** matrix[truth][predicted] = number of cases. */
export type ConfusionMatrix = number[][];

export type KappaWeighting = 'none' | 'linear' | 'quadratic';

export interface ClassRecall {
  classIndex: number;
  /** Cases whose truth is this class (row sum). */
  support: number;
  /** Diagonal / row sum; null when the class has no cases. */
  recall: number | null;
}

/** K×K confusion matrix, rows = truth, columns = prediction; classes are integers 0..k-1. */
export function confusionMatrix(truth: readonly number[], predicted: readonly number[], k: number): ConfusionMatrix {
  checkSameLength('confusionMatrix', truth, predicted);
  if (!Number.isInteger(k) || k < 2) throw new MetricInputError(`confusionMatrix: k = ${k}, expected an integer >= 2`);
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i];
    const p = predicted[i];
    if (!Number.isInteger(t) || t < 0 || t >= k || !Number.isInteger(p) || p < 0 || p >= k) {
      throw new MetricInputError(`confusionMatrix: case ${i} has truth ${t}, prediction ${p}; expected integers in 0..${k - 1}`);
    }
    matrix[t][p]++;
  }
  return matrix;
}

function checkSquare(what: string, matrix: ConfusionMatrix): number {
  const k = matrix.length;
  for (const row of matrix) {
    if (row.length !== k) throw new MetricInputError(`${what}: confusion matrix is not square`);
    for (const v of row) if (!(v >= 0) || !Number.isFinite(v)) throw new MetricInputError(`${what}: count ${v} is not a non-negative number`);
  }
  return k;
}

function total(matrix: ConfusionMatrix): number {
  return matrix.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
}

/** Fraction on the diagonal; null for an empty matrix. */
export function multiclassAccuracy(matrix: ConfusionMatrix): number | null {
  const k = checkSquare('multiclassAccuracy', matrix);
  let diagonal = 0;
  for (let i = 0; i < k; i++) diagonal += matrix[i][i];
  return ratioOrNull(diagonal, total(matrix));
}

/** Recall (sensitivity) of each class: how many of its cases were predicted as it. */
export function perClassRecall(matrix: ConfusionMatrix): ClassRecall[] {
  checkSquare('perClassRecall', matrix);
  return matrix.map((row, i) => {
    const support = row.reduce((a, b) => a + b, 0);
    return { classIndex: i, support, recall: ratioOrNull(row[i], support) };
  });
}

/** Disagreement weight of cell (i, j): 0 on the diagonal, 1 for the farthest pair. */
function disagreementWeight(i: number, j: number, k: number, weighting: KappaWeighting): number {
  if (weighting === 'none') return i === j ? 0 : 1;
  const d = Math.abs(i - j) / (k - 1);
  return weighting === 'linear' ? d : d * d;
}

/**
 * Cohen's kappa from a confusion matrix: κ = 1 − Σ w_ij·O_ij / Σ w_ij·E_ij, with O the observed
 * proportions, E_ij = row_i·col_j / n² the proportions expected by chance from the marginals, and
 * w_ij the disagreement weights. 1 = perfect agreement, 0 = chance level, < 0 = worse than chance.
 * Null when chance disagreement is 0 (both raters put every case in one class: κ is 0/0).
 */
export function cohenKappa(matrix: ConfusionMatrix, weighting: KappaWeighting = 'none'): number | null {
  const k = checkSquare('cohenKappa', matrix);
  const n = total(matrix);
  if (n === 0) return null;
  const rows = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const cols = matrix[0].map((_, j) => matrix.reduce((s, row) => s + row[j], 0));
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const w = disagreementWeight(i, j, k, weighting);
      observed += (w * matrix[i][j]) / n;
      expected += (w * rows[i] * cols[j]) / (n * n);
    }
  }
  return expected === 0 ? null : 1 - observed / expected;
}

/** Quadratic weighted kappa (Cohen 1968), the usual agreement measure for ordinal grades such as stage. */
export function quadraticWeightedKappa(matrix: ConfusionMatrix): number | null {
  return cohenKappa(matrix, 'quadratic');
}
