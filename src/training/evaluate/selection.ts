/**
 * Which images `gastric-ai evaluate` reads: every image of the dataset (`--split all`), or only the test patients
 * (`--split test`) of the same patient split the trainer made.
 *
 * Contract with the trainer: the manifest records its split as
 *   training.dataset.split = { train: 0.7, validation: 0.15, test: 0.15, seed: 1 }
 * (the fractions and seed given to splitByPatient). splitByPatient depends only on those and the patients, so the same
 * dataset gives back the same test patients. A manifest without that record (a package made before the trainer
 * recorded it, or a test fixture) falls back to FALLBACK_SPLIT, and the result says `source: 'fallback'`: those test
 * patients may have been seen in training, so the numbers are then an upper bound, not a held-out estimate.
 */
import type { ModelManifest } from '../../inference/package/manifest';
import { splitByPatient, SplitOptions } from '../dataset/split';
import type { DatasetImage, DatasetIndex } from '../dataset/types';

export type EvaluationSplit = 'test' | 'all';

/** The splitter's defaults for a manifest that records none (70/15/15, seed 1). */
export const FALLBACK_SPLIT: SplitOptions = { train: 0.7, validation: 0.15, test: 0.15, seed: 1 };

export interface SplitInfo {
  name: EvaluationSplit;
  /** Where the fractions came from; null for `all`. */
  source: 'manifest' | 'fallback' | null;
  /** The splitByPatient options used; null for `all`. */
  options: SplitOptions | null;
  /** Patients in the evaluated set. */
  patients: number;
}

export interface ImageSelection {
  images: DatasetImage[];
  split: SplitInfo;
}

export class SplitRecordError extends Error {
  override readonly name = 'SplitRecordError';
}

const isFraction = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 1;

/** training.dataset.split of the manifest, null when absent; a malformed record is an error, not a silent fallback. */
export function recordedSplit(manifest: Pick<ModelManifest, 'training'>): SplitOptions | null {
  const raw = manifest.training.dataset.split;
  if (raw === undefined || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof raw !== 'object' || !isFraction(r.train) || !isFraction(r.validation) || !isFraction(r.test) || !Number.isInteger(r.seed)) {
    throw new SplitRecordError(`manifest training.dataset.split ${JSON.stringify(raw)}: expected {train, validation, test (fractions), seed (integer)}`);
  }
  return { train: r.train, validation: r.validation, test: r.test, seed: r.seed as number };
}

export function selectImages(index: DatasetIndex, manifest: Pick<ModelManifest, 'training'>, split: EvaluationSplit): ImageSelection {
  if (split === 'all') {
    return { images: index.images, split: { name: 'all', source: null, options: null, patients: index.patients.length } };
  }
  const recorded = recordedSplit(manifest);
  const options = recorded ?? FALLBACK_SPLIT;
  const parts = splitByPatient(index, options);
  return {
    images: parts.test.images,
    split: { name: 'test', source: recorded ? 'manifest' : 'fallback', options, patients: parts.test.personIds.length },
  };
}
