/**
 * Agreement of the stage head with the patient's stage (I–IV as class indices 0–3). Stage is ordinal, so besides
 * accuracy and per-stage recall the summary is the quadratic weighted kappa: calling a stage IV cancer stage I costs
 * nine times more than calling it stage III.
 */
import { STAGES } from '../../synth/types';
import type { Stage } from '../dataset/types';
import { confusionMatrix, multiclassAccuracy, perClassRecall, quadraticWeightedKappa } from '../metrics';

export interface StageAgreement {
  cases: number;
  classes: Stage[];
  /** matrix[truth][predicted]. */
  confusionMatrix: number[][];
  /** null without cases. */
  accuracy: number | null;
  perClassRecall: Array<{ stage: Stage; support: number; recall: number | null }>;
  /** null without cases, or when both truth and prediction fall in one class (κ is 0/0). */
  quadraticWeightedKappa: number | null;
}

export function stageOf(stage: Stage | null): number {
  if (stage === null) throw new RangeError('stage agreement needs a known stage');
  return STAGES.indexOf(stage);
}

export function stageSummary(truth: readonly number[], predicted: readonly number[]): StageAgreement {
  const matrix = confusionMatrix(truth, predicted, STAGES.length);
  return {
    cases: truth.length,
    classes: [...STAGES],
    confusionMatrix: matrix,
    accuracy: multiclassAccuracy(matrix),
    perClassRecall: perClassRecall(matrix).map((r) => ({ stage: STAGES[r.classIndex], support: r.support, recall: r.recall })),
    quadraticWeightedKappa: quadraticWeightedKappa(matrix),
  };
}
