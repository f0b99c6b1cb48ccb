/** Metric assembly of `gastric-ai evaluate` on hand-made predictions, where every number can be worked out by hand. */
import { assembleEvaluation, assembleMetrics, EvaluationHeader, EvaluationRules } from '../../src/training/evaluate/metrics';
import type { ImagePrediction } from '../../src/training/evaluate/run';
import type { Polygon, Stage } from '../../src/training/dataset/types';

const square: Polygon = [[10, 10], [30, 10], [30, 30], [10, 30]];
const rules: EvaluationRules = {
  topK: 2,
  imageThreshold: 0.5,
  urgentThreshold: 0.8,
  suspiciousThreshold: 0.5,
  operatingPoints: [{ name: 'high-sensitivity', threshold: 0.3, sensitivity: 0.9, specificity: 0.8 }],
};
const options = { seed: 1, iterations: 300 };

const STAGE_HEAD: Record<Stage, [number, number, number, number]> = {
  I: [0.7, 0.1, 0.1, 0.1],
  II: [0.1, 0.7, 0.1, 0.1],
  III: [0.1, 0.1, 0.7, 0.1],
  IV: [0.1, 0.1, 0.1, 0.7],
};

let serial = 0;
function image(personId: string, sex: 'M' | 'F', stage: Stage | null, cancer: boolean, p: number, peak: [number, number] = [20, 20], head?: Stage): ImagePrediction {
  return {
    file: `${personId}/${++serial}.dcm`,
    personId,
    sex,
    studyKey: `${personId}_01`,
    stage,
    cancer,
    polygons: cancer ? [square] : [],
    cancerProbability: p,
    // A normal frame of a cancer patient shows no stage: its head is deliberately wrong, and must not count.
    stageProbabilities: STAGE_HEAD[head ?? stage ?? 'II'],
    peak,
  };
}

/** Four patients, two images each: the cancer images score high, point inside the lesion and get the right stage. */
function perfect(): ImagePrediction[] {
  return [
    image('P1', 'M', 'I', true, 0.9),
    image('P1', 'M', 'I', false, 0.2, [0, 0], 'III'),
    image('P2', 'F', 'IV', true, 0.95),
    image('P2', 'F', 'IV', true, 0.85),
    image('P3', 'M', null, false, 0.05),
    image('P3', 'M', null, false, 0.1),
    image('P4', 'F', null, false, 0.15),
    image('P4', 'F', null, false, 0.25),
  ];
}

test('perfect predictions: AUROC 1 (image, study, per sex), kappa 1, every cancer pointed at, sensitivity = specificity = 1', () => {
  const m = assembleMetrics(perfect(), [], rules, options);
  expect(m.counts).toEqual({ patients: 4, images: 8, cancerImages: 3, normalImages: 5, studies: 4, cancerStudies: 2, normalStudies: 2, skippedImages: 0, stageImages: 3, stageStudies: 2 });
  expect(m.imageLevel.auroc).toEqual(expect.objectContaining({ cases: 8, positives: 3, negatives: 5, estimate: 1, note: null }));
  expect(m.imageLevel.auroc.ci).toEqual(expect.objectContaining({ lower: 1, upper: 1, level: 0.95, resampling: 'clusters', units: 4, iterations: 300 }));
  expect(m.imageLevel.roc[0]).toEqual({ fpr: 0, tpr: 0, threshold: null });
  expect(m.imageLevel.roc).toContainEqual({ fpr: 0, tpr: 1, threshold: 0.85 });
  expect(m.studyLevel.auroc.estimate).toBe(1);
  expect(m.bySex.M.auroc.estimate).toBe(1);
  expect(m.bySex.F.auroc.estimate).toBe(1);
  expect(m.bySex.M.images + m.bySex.F.images).toBe(8);

  const [named, image] = m.imageLevel.operatingPoints;
  expect(named).toEqual(expect.objectContaining({ name: 'high-sensitivity', source: 'manifest.operatingPoints', threshold: 0.3, expected: { sensitivity: 0.9, specificity: 0.8 } }));
  expect(image).toEqual(expect.objectContaining({ name: 'image', source: 'manifest.thresholds', threshold: 0.5, counts: { tp: 3, fp: 0, tn: 5, fn: 0 } }));
  expect(image.sensitivity.value).toBe(1);
  expect(image.specificity.value).toBe(1);
  expect(image.sensitivity.ci!.lower).toBeCloseTo(0.4385, 3); // Wilson 3/3 at 95 %
  expect(m.studyLevel.operatingPoints.map((p) => [p.name, p.counts])).toEqual([
    ['suspicious', { tp: 2, fp: 0, tn: 2, fn: 0 }], // study probabilities: mean of top 2 = 0.55, 0.9, 0.075, 0.2
    ['urgent', { tp: 1, fp: 0, tn: 2, fn: 1 }],
  ]);
  expect(m.predictions.studies.map((s) => s.cancerProbability)).toEqual([0.55, 0.9, 0.075, 0.2].map((v) => expect.closeTo(v, 12)));

  // Stage: only the images with a lesion (the stage I patient's survey frame, read as III, is left out).
  expect(m.stage.image).toEqual(expect.objectContaining({ cases: 3, accuracy: 1, quadraticWeightedKappa: 1 }));
  expect(m.stage.image.confusionMatrix).toEqual([[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 2]]);
  expect(m.stage.image.perClassRecall).toEqual([{ stage: 'I', support: 1, recall: 1 }, { stage: 'II', support: 0, recall: null }, { stage: 'III', support: 0, recall: null }, { stage: 'IV', support: 2, recall: 1 }]);
  expect(m.stage.study).toEqual(expect.objectContaining({ cases: 2, accuracy: 1, quadraticWeightedKappa: 1 }));
  expect(m.predictions.studies.map((s) => s.stageEstimate)).toEqual(['I', 'IV', 'II', 'II']);

  expect(m.pointingGame).toEqual({ threshold: 0.5, truePositives: { scored: 3, hits: 3, hitRate: 1 }, allCancerImages: { scored: 3, hits: 3, hitRate: 1 } });
  expect(m.predictions.images.map((p) => p.pointingHit)).toEqual([true, null, true, true, null, null, null, null]);

  const brier = (0.1 ** 2 + 0.2 ** 2 + 0.05 ** 2 + 0.15 ** 2 + 0.05 ** 2 + 0.1 ** 2 + 0.15 ** 2 + 0.25 ** 2) / 8;
  expect(m.calibration.brier).toBeCloseTo(brier, 12);
  expect(m.calibration.bins).toHaveLength(10);
  expect(m.calibration.ece).toBeGreaterThanOrEqual(0);
});

test('inverted scores give AUROC 0; peaks outside the lesion and misses score apart for true positives and all cancers', () => {
  const preds = perfect().map((p) => ({ ...p, cancerProbability: 1 - p.cancerProbability }));
  preds[0] = { ...preds[0], cancerProbability: 0.6 }; // one cancer found, pointing inside
  preds[2] = { ...preds[2], peak: [100, 100] }; // missed and pointing outside
  const m = assembleMetrics(preds, [{ file: 'broken.dcm', reason: 'no pixel data' }], rules, options);
  expect(m.studyLevel.auroc.estimate).toBeLessThan(0.5);
  expect(m.pointingGame.truePositives).toEqual({ scored: 1, hits: 1, hitRate: 1 });
  expect(m.pointingGame.allCancerImages).toEqual({ scored: 3, hits: 2, hitRate: 2 / 3 });
  expect(m.counts.skippedImages).toBe(1);
  expect(m.skipped).toEqual([{ file: 'broken.dcm', reason: 'no pixel data' }]);
  const allInverted = assembleMetrics(perfect().map((p) => ({ ...p, cancerProbability: 1 - p.cancerProbability })), [], rules, options);
  expect(allInverted.imageLevel.auroc.estimate).toBe(0);
});

test('one class only: AUROC null with a note, empty ROC, null stage and pointing summaries; no images is an error', () => {
  const normals = perfect().filter((p) => !p.cancer);
  const m = assembleMetrics(normals, [], rules, options);
  expect(m.imageLevel.auroc).toEqual({ cases: 5, positives: 0, negatives: 5, estimate: null, ci: null, note: expect.stringMatching(/needs cancer and normal cases/) });
  expect(m.imageLevel.roc).toEqual([]);
  expect(m.stage.image).toEqual(expect.objectContaining({ cases: 0, accuracy: null, quadraticWeightedKappa: null }));
  expect(m.pointingGame.allCancerImages.hitRate).toBeNull();
  expect(m.imageLevel.operatingPoints[1].sensitivity).toEqual({ value: null, successes: 0, trials: 0, ci: null });
  expect(() => assembleMetrics([], [{ file: 'a.dcm', reason: 'unreadable' }], rules, options)).toThrow(/no image could be evaluated \(1 skipped: unreadable\)/);
});

test('the whole document: schema, header, options and not-for-clinical-use from the model or the data', () => {
  const header: EvaluationHeader = {
    model: { id: 'm', version: '1', modality: 'ES', deviceUid: '1.2.3', trainedOnSyntheticData: false, notForClinicalUse: false, dir: '/models/m' },
    data: { root: '/data', synthetic: false, syntheticImages: 0, split: { name: 'all', source: null, options: null, patients: 4 } },
    options: { engine: 'onnx', backend: 'cpu', batchSize: 8, testTimeAugmentation: 'dihedral' },
  };
  const real = assembleEvaluation(header, perfect(), [], rules, options);
  expect(Object.keys(real)).toEqual([
    'schema', 'notForClinicalUse', 'model', 'data', 'options', 'counts', 'imageLevel', 'studyLevel', 'stage', 'calibration', 'bySex', 'pointingGame', 'skipped', 'predictions',
  ]);
  expect(real.schema).toBe('gastric-ai-node/evaluation/v1');
  expect(real.notForClinicalUse).toBe(false);
  expect(real.options).toEqual({ engine: 'onnx', backend: 'cpu', batchSize: 8, testTimeAugmentation: 'dihedral', seed: 1, bootstrapIterations: 300, confidenceLevel: 0.95 });
  const synthetic = assembleEvaluation({ ...header, data: { ...header.data, synthetic: true, syntheticImages: 8 } }, perfect(), [], rules, options);
  expect(synthetic.notForClinicalUse).toBe(true);
  // JSON round trip keeps everything (no Infinity or NaN turned into null behind our back).
  expect(JSON.parse(JSON.stringify(real))).toEqual(real);
});
