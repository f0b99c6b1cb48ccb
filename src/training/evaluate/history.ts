/**
 * Training curves for the evaluation report. Contract with the trainer: a model package may hold
 * `training-history.json`, one record per epoch,
 *   [{ "epoch": 1, "trainLoss": 0.69, "validationLoss": 0.66, "trainMetric": 0.71, "validationMetric": 0.74 }, …]
 * epoch and trainLoss required; the others optional (or null: JSON has no NaN, so a missing value is null); the metric
 * is the cancer AUROC (src/training/train/loop.ts writes this file with these keys).
 */
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import type { EpochRecord } from '../plots';

export const TRAINING_HISTORY_FILE = 'training-history.json';

const optional = z.number().nullable().optional();
const historySchema = z.array(
  z.object({ epoch: z.number().int().min(0), trainLoss: z.number(), validationLoss: optional, trainMetric: optional, validationMetric: optional }),
);

export class TrainingHistoryError extends Error {
  override readonly name = 'TrainingHistoryError';
}

/** The package's training history, or null when it has none; a malformed file is an error naming the problem. */
export function readTrainingHistory(modelDir: string): EpochRecord[] | null {
  const file = path.join(modelDir, TRAINING_HISTORY_FILE);
  if (!fs.existsSync(file)) return null;
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TrainingHistoryError(`${file}: not JSON (${(err as Error).message})`);
  }
  const parsed = historySchema.safeParse(value);
  if (!parsed.success) {
    throw new TrainingHistoryError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')}`);
  }
  const defined = (v: number | null | undefined): number | undefined => v ?? undefined;
  return parsed.data.map((e) => ({
    epoch: e.epoch,
    trainLoss: e.trainLoss,
    validationLoss: defined(e.validationLoss),
    trainMetric: defined(e.trainMetric),
    validationMetric: defined(e.validationMetric),
  }));
}
