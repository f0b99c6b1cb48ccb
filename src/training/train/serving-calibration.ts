/**
 * Calibration and operating points from what serving computes. The tail is trained and validated on cached
 * single-view features, but a model served with test-time augmentation (src/inference/tta.ts) reads each image in
 * several views, whose mean logit is less noisy and differently spread. So the Platt fit and the thresholds are taken from the
 * validation images read end to end: DICOM → preprocess → the model exported to ONNX → the model's views.
 */
import type * as tf from '@tensorflow/tfjs';
import { PreprocessSpec } from '../../imaging/preprocess';
import { cancerHeadWeights } from '../../inference/cam';
import { OnnxEngine } from '../../inference/engines/onnx-engine';
import { exportOnnx } from '../../inference/onnx/export';
import type { ModelManifest } from '../../inference/package/manifest';
import { TestTimeAugmentation, withTestTimeAugmentation } from '../../inference/tta';
import type { DatasetImage } from '../dataset/types';
import { predictImages } from '../evaluate/run';
import { rocCurve } from '../metrics';
import { applyPlatt, fitPlatt, foldPlattIntoHead, Platt } from './platt';

/** Youden's J on validation: the image operating point; plus a high-sensitivity point. */
export function operatingPoints(labels: number[], probs: number[]): ModelManifest['operatingPoints'] {
  if (new Set(labels).size < 2) return [];
  const curve = rocCurve(labels, probs).filter((p) => Number.isFinite(p.threshold));
  const youden = curve.reduce((b, p) => (p.tpr - p.fpr > b.tpr - b.fpr ? p : b), curve[0]);
  const sensitive = curve.find((p) => p.tpr >= 0.95) ?? curve[curve.length - 1];
  return [
    { name: 'balanced (Youden, validation)', threshold: youden.threshold, sensitivity: youden.tpr, specificity: 1 - youden.fpr },
    { name: 'high sensitivity (>= 0.95, validation)', threshold: sensitive.threshold, sensitivity: sensitive.tpr, specificity: 1 - sensitive.fpr },
  ];
}

export interface Calibration {
  platt: Platt;
  /** Operating points on the calibrated probabilities. */
  points: ModelManifest['operatingPoints'];
  /** Validation images read (unreadable ones are left out). */
  images: number;
}

/** Fits Platt scaling to (labels, probs), folds it into the model's cancer head and picks the operating points. */
export function calibrateHead(model: tf.LayersModel, labels: number[], probs: number[]): Calibration {
  const platt = fitPlatt(labels, probs);
  foldPlattIntoHead(model, platt);
  return { platt, points: operatingPoints(labels, probs.map((p) => applyPlatt(p, platt))), images: labels.length };
}

export interface ServingCalibrationOptions {
  spec: PreprocessSpec;
  testTimeAugmentation: TestTimeAugmentation;
  /** Dataset root (for relative paths in errors). */
  root: string;
  threads: number;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Reads the validation images as served and calibrates the model's head on them (the model is changed in place). */
export async function calibrateAsServed(model: tf.LayersModel, validation: readonly DatasetImage[], options: ServingCalibrationOptions): Promise<Calibration> {
  const base = await OnnxEngine.create(exportOnnx(model), { threads: options.threads, cuda: false });
  const engine = withTestTimeAugmentation(base, options.testTimeAugmentation);
  try {
    const run = await predictImages({ engine, head: cancerHeadWeights(model), spec: options.spec }, validation, {
      root: options.root,
      batchSize: options.batchSize ?? 8,
      onProgress: options.onProgress,
    });
    if (run.predictions.length === 0) throw new Error(`calibration: none of the ${validation.length} validation images could be read`);
    const labels = run.predictions.map((p) => (p.cancer ? 1 : 0));
    return calibrateHead(model, labels, run.predictions.map((p) => p.cancerProbability));
  } finally {
    await engine.dispose();
  }
}
