/**
 * Assembles the evaluation JSON of `gastric-ai evaluate` from per-image predictions (run.ts). Pure: no I/O, so it
 * is unit-tested on hand-made predictions.
 *
 * Layout (schema `gastric-ai-node/evaluation/v1`; keys are always present, a value that cannot be computed is null
 * with a `note` saying why; proportions are {value, successes, trials, ci: {lower, upper} | null} with Wilson CIs):
 *
 *   schema, notForClinicalUse
 *   model        {id, version, modality, deviceUid, trainedOnSyntheticData, notForClinicalUse, dir}
 *   data         {root, synthetic, syntheticImages, split: {name: test|all, source: manifest|fallback|null, options, patients}}
 *   options      {engine, backend, batchSize, testTimeAugmentation, seed, bootstrapIterations, confidenceLevel}
 *   counts       {patients, images, cancerImages, normalImages, studies, cancerStudies, normalStudies, skippedImages,
 *                 stageImages, stageStudies}
 *   imageLevel   {auroc: AurocSummary, roc: [{fpr, tpr, threshold (null = +∞)}], operatingPoints: [OperatingPoint]}
 *   studyLevel   {aggregation: {rule: top-k-mean, k}, auroc, roc, operatingPoints (the study suspicious/urgent thresholds)}
 *   stage        {image: StageAgreement, study: StageAgreement}
 *   calibration  {bins: [{lower, upper, count, meanPredicted, observedFraction}] (10), ece, mce, brier}
 *   bySex        {M: SexSummary, F: SexSummary}   SexSummary = {patients, images, cancerImages, normalImages, studies,
 *                                                  cancerStudies, auroc: AurocSummary (image level)}
 *   pointingGame {threshold, truePositives: PointingScore, allCancerImages: PointingScore}
 *                 PointingScore = {scored, hits, hitRate}
 *   skipped      [{file, reason}]
 *   predictions  {images: [{file, personId, sex, studyKey, stage, cancer, cancerProbability, stageProbabilities, peak,
 *                 pointingHit}], studies: [StudyPrediction]}
 *
 *   AurocSummary   {cases, positives, negatives, estimate, ci: {lower, upper, level, resampling, units, iterations,
 *                   used, skipped} | null, note}
 *   OperatingPoint {name, source, threshold, expected: {sensitivity, specificity} | null, counts: {tp, fp, tn, fn},
 *                   sensitivity, specificity, ppv, npv, accuracy, f1}
 *   StageAgreement {cases, classes: [I, II, III, IV], confusionMatrix (rows truth, columns prediction), accuracy,
 *                   perClassRecall: [{stage, support, recall}], quadraticWeightedKappa}
 */
import { STAGES } from '../../synth/types';
import type { TestTimeAugmentation } from '../../inference/tta';
import { bootstrapAurocCi, brierScore, insidePolygon, ReliabilityBin, reliabilityCurve, rocCurve, ThresholdMetrics, thresholdMetrics } from '../metrics';
import type { ImagePrediction, SkippedImage } from './run';
import type { SplitInfo } from './selection';
import { StudyPrediction, studyPredictions, StudyRule } from './studies';
import { stageOf, stageSummary, StageAgreement } from './stage';
import { Modality } from '../../domain/modality';

export const EVALUATION_SCHEMA = 'gastric-ai-node/evaluation/v1';
export type { StageAgreement };

export interface EvaluationHeader {
  model: { id: string; version: string; modality: Modality; deviceUid: string; trainedOnSyntheticData: boolean; notForClinicalUse: boolean; dir: string };
  data: { root: string; synthetic: boolean; syntheticImages: number; split: SplitInfo };
  options: { engine: string; backend: string; batchSize: number; testTimeAugmentation: TestTimeAugmentation };
}

/** What the manifest says about reading the outputs. */
export interface EvaluationRules extends StudyRule {
  operatingPoints: ReadonlyArray<{ name: string; threshold: number; sensitivity: number | null; specificity: number | null }>;
}

export interface MetricOptions {
  /** Bootstrap seed. */
  seed: number;
  /** Bootstrap resamples (default 2000). */
  iterations?: number;
  /** CI coverage (default 0.95). */
  level?: number;
}

export interface AurocSummary {
  cases: number;
  positives: number;
  negatives: number;
  estimate: number | null;
  ci: { lower: number | null; upper: number | null; level: number; resampling: 'cases' | 'clusters'; units: number; iterations: number; used: number; skipped: number } | null;
  note: string | null;
}

export interface RocPointJson {
  fpr: number;
  tpr: number;
  /** null stands for +∞ (the (0, 0) corner), which JSON cannot hold. */
  threshold: number | null;
}

export type OperatingPoint = ThresholdMetrics & {
  name: string;
  source: 'manifest.operatingPoints' | 'manifest.thresholds';
  /** What the manifest claims for this point (measured on the validation split), for comparison. */
  expected: { sensitivity: number | null; specificity: number | null } | null;
};

export interface Discrimination {
  auroc: AurocSummary;
  roc: RocPointJson[];
  operatingPoints: OperatingPoint[];
}

export interface SexSummary {
  patients: number;
  images: number;
  cancerImages: number;
  normalImages: number;
  studies: number;
  cancerStudies: number;
  auroc: AurocSummary;
}

export interface PointingScore {
  scored: number;
  hits: number;
  hitRate: number | null;
}

export type ImagePredictionJson = Omit<ImagePrediction, 'polygons'> & {
  /** The CAM peak lies inside a cancer polygon; null for a normal image. */
  pointingHit: boolean | null;
};

export interface EvaluationMetrics {
  counts: {
    patients: number; images: number; cancerImages: number; normalImages: number;
    studies: number; cancerStudies: number; normalStudies: number; skippedImages: number;
    /** Cases of the stage agreement tables. */
    stageImages: number; stageStudies: number;
  };
  imageLevel: Discrimination;
  studyLevel: Discrimination & { aggregation: { rule: 'top-k-mean'; k: number } };
  stage: { image: StageAgreement; study: StageAgreement };
  calibration: { bins: ReliabilityBin[]; ece: number; mce: number; brier: number };
  bySex: Record<'M' | 'F', SexSummary>;
  pointingGame: { threshold: number; truePositives: PointingScore; allCancerImages: PointingScore };
  skipped: SkippedImage[];
  predictions: { images: ImagePredictionJson[]; studies: StudyPrediction[] };
}

export type EvaluationResult = { schema: typeof EVALUATION_SCHEMA; notForClinicalUse: boolean } & EvaluationHeader & { options: { seed: number; bootstrapIterations: number; confidenceLevel: number } } & EvaluationMetrics;

const bit = (b: boolean): number => (b ? 1 : 0);

/** AUROC with a patient-cluster bootstrap CI; null with a note when one class is missing. */
export function aurocSummary(labels: readonly number[], scores: readonly number[], groups: readonly string[], options: MetricOptions): AurocSummary {
  const positives = labels.reduce((s, y) => s + y, 0);
  const base = { cases: labels.length, positives, negatives: labels.length - positives };
  if (positives === 0 || positives === labels.length) {
    return { ...base, estimate: null, ci: null, note: `AUROC needs cancer and normal cases (${positives} of ${labels.length} are cancer)` };
  }
  const { estimate, ...ci } = bootstrapAurocCi(labels, scores, { seed: options.seed, iterations: options.iterations ?? 2000, level: options.level ?? 0.95, groups });
  return { ...base, estimate, ci, note: null };
}

function rocJson(labels: readonly number[], scores: readonly number[], auroc: AurocSummary): RocPointJson[] {
  if (auroc.estimate === null) return [];
  return rocCurve(labels, scores).map((p) => ({ fpr: p.fpr, tpr: p.tpr, threshold: Number.isFinite(p.threshold) ? p.threshold : null }));
}

function discrimination(labels: number[], scores: number[], groups: string[], points: Array<Omit<OperatingPoint, keyof ThresholdMetrics> & { threshold: number }>, options: MetricOptions): Discrimination {
  const auroc = aurocSummary(labels, scores, groups, options);
  return {
    auroc,
    roc: rocJson(labels, scores, auroc),
    operatingPoints: points.map(({ name, source, expected, threshold }) => ({ name, source, expected, ...thresholdMetrics(labels, scores, threshold, options.level ?? 0.95) })),
  };
}

function pointingScore(images: readonly ImagePrediction[]): PointingScore {
  const hits = images.filter(isHit).length;
  return { scored: images.length, hits, hitRate: images.length === 0 ? null : hits / images.length };
}

/** Pointing game (Zhang et al. 2018): the map's maximum inside any annotated cancer polygon. */
const isHit = (p: ImagePrediction): boolean => p.polygons.some((polygon) => insidePolygon(polygon, p.peak[0], p.peak[1]));

function sexSummary(images: ImagePrediction[], studies: StudyPrediction[], options: MetricOptions): SexSummary {
  const cancerImages = images.filter((p) => p.cancer).length;
  return {
    patients: new Set(images.map((p) => p.personId)).size,
    images: images.length,
    cancerImages,
    normalImages: images.length - cancerImages,
    studies: studies.length,
    cancerStudies: studies.filter((s) => s.cancer).length,
    auroc: aurocSummary(images.map((p) => bit(p.cancer)), images.map((p) => p.cancerProbability), images.map((p) => p.personId), options),
  };
}

export function assembleMetrics(images: readonly ImagePrediction[], skipped: readonly SkippedImage[], rules: EvaluationRules, options: MetricOptions): EvaluationMetrics {
  if (images.length === 0) throw new RangeError(`no image could be evaluated (${skipped.length} skipped${skipped[0] ? `: ${skipped[0].reason}` : ''})`);
  const studies = studyPredictions(images, rules);
  const labels = images.map((p) => bit(p.cancer));
  const scores = images.map((p) => p.cancerProbability);
  const imagePoints = [
    ...rules.operatingPoints.map((op) => ({ name: op.name, source: 'manifest.operatingPoints' as const, threshold: op.threshold, expected: { sensitivity: op.sensitivity, specificity: op.specificity } })),
    { name: 'image', source: 'manifest.thresholds' as const, threshold: rules.imageThreshold, expected: null },
  ];
  const studyPoints = [
    { name: 'suspicious', source: 'manifest.thresholds' as const, threshold: rules.suspiciousThreshold, expected: null },
    { name: 'urgent', source: 'manifest.thresholds' as const, threshold: rules.urgentThreshold, expected: null },
  ];
  // Stage given cancer: images that show a lesion (a survey frame of a stage IV patient shows no stage) and studies
  // with a lesion, each with a known patient stage.
  const stageImages = images.filter((p) => p.cancer && p.stage !== null);
  const stageStudies = studies.filter((s) => s.cancer && s.stage !== null);
  const calibration = reliabilityCurve(labels, scores, 10);
  const cancer = images.filter((p) => p.cancer);
  const cancerStudies = studies.filter((s) => s.cancer).length;
  return {
    counts: {
      patients: new Set(images.map((p) => p.personId)).size,
      images: images.length,
      cancerImages: cancer.length,
      normalImages: images.length - cancer.length,
      studies: studies.length,
      cancerStudies,
      normalStudies: studies.length - cancerStudies,
      skippedImages: skipped.length,
      stageImages: stageImages.length,
      stageStudies: stageStudies.length,
    },
    imageLevel: discrimination(labels, scores, images.map((p) => p.personId), imagePoints, options),
    studyLevel: {
      aggregation: { rule: 'top-k-mean', k: rules.topK },
      ...discrimination(studies.map((s) => bit(s.cancer)), studies.map((s) => s.cancerProbability), studies.map((s) => s.personId), studyPoints, options),
    },
    stage: {
      image: stageSummary(stageImages.map((p) => stageOf(p.stage)), stageImages.map((p) => argmax(p.stageProbabilities))),
      study: stageSummary(stageStudies.map((s) => stageOf(s.stage)), stageStudies.map((s) => STAGES.indexOf(s.stageEstimate))),
    },
    calibration: { bins: calibration.bins, ece: calibration.ece, mce: calibration.mce, brier: brierScore(labels, scores) },
    bySex: {
      M: sexSummary(images.filter((p) => p.sex === 'M'), studies.filter((s) => s.sex === 'M'), options),
      F: sexSummary(images.filter((p) => p.sex === 'F'), studies.filter((s) => s.sex === 'F'), options),
    },
    pointingGame: {
      threshold: rules.imageThreshold,
      truePositives: pointingScore(cancer.filter((p) => p.cancerProbability >= rules.imageThreshold)),
      allCancerImages: pointingScore(cancer),
    },
    skipped: [...skipped],
    predictions: {
      images: images.map(({ polygons, ...rest }) => ({ ...rest, pointingHit: polygons.length > 0 ? isHit({ ...rest, polygons }) : null })),
      studies,
    },
  };
}

const argmax = (values: readonly number[]): number => values.indexOf(Math.max(...values));

/** The whole JSON document: header, options and metrics. */
export function assembleEvaluation(header: EvaluationHeader, images: readonly ImagePrediction[], skipped: readonly SkippedImage[], rules: EvaluationRules, options: MetricOptions): EvaluationResult {
  const metrics = assembleMetrics(images, skipped, rules, options);
  return {
    schema: EVALUATION_SCHEMA,
    notForClinicalUse: header.model.notForClinicalUse || header.model.trainedOnSyntheticData || header.data.synthetic,
    model: header.model,
    data: header.data,
    options: { ...header.options, seed: options.seed, bootstrapIterations: options.iterations ?? 2000, confidenceLevel: options.level ?? 0.95 },
    ...metrics,
  };
}
