/** The few evaluation figures a model's manifest carries (manifest.evaluation), from a full evaluation result. */
import { EvaluationMetrics } from './metrics';

const round = (v: number | null | undefined): number | null => (v === null || v === undefined ? null : Math.round(v * 1000) / 1000);

export function evaluationSummary(result: EvaluationMetrics, provenance: { data: string; split: string; command: string; date: string }): Record<string, unknown> {
  const ci = result.imageLevel.auroc.ci;
  return {
    ...provenance,
    imageAuroc: round(result.imageLevel.auroc.estimate),
    imageAurocCi95: ci ? [round(ci.lower), round(ci.upper)] : null,
    imageCases: { cancer: result.imageLevel.auroc.positives, normal: result.imageLevel.auroc.negatives },
    studyAuroc: round(result.studyLevel.auroc.estimate),
    stageAccuracy: round(result.stage.image.accuracy),
    stageQuadraticWeightedKappa: round(result.stage.image.quadraticWeightedKappa),
    expectedCalibrationError: round(result.calibration.ece),
    pointingGameTruePositives: round(result.pointingGame.truePositives.hitRate),
    pointingGameAllCancerImages: round(result.pointingGame.allCancerImages.hitRate),
    report: 'evaluation/report.md',
  };
}
