/** Argument parsers shared by the verbs: each rejects bad input with a message commander prints. */
import { InvalidArgumentError } from 'commander';
import { TEST_TIME_AUGMENTATIONS, TestTimeAugmentation } from '../inference/tta';
import { MODEL_MODALITIES, isModality, Modality } from '../domain/modality';

export const intArg = (lo: number, hi: number) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new InvalidArgumentError(`expected an integer ${lo}-${hi}`);
  return n;
};

export const fractionArg = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a number 0-1');
  return n;
};

export const modalitiesArg = (value: string): Modality[] => {
  const list = value.split(',').map((m) => m.trim().toUpperCase());
  const bad = list.filter((m) => !isModality(m));
  if (bad.length > 0 || list.length === 0) throw new InvalidArgumentError(`expected a comma list of ${MODEL_MODALITIES.join(', ')} (got ${value})`);
  return [...new Set(list)] as Modality[];
};

export const modalityArg = (value: string): Modality => {
  const m = value.trim().toUpperCase();
  if (!isModality(m)) throw new InvalidArgumentError(`expected one of ${MODEL_MODALITIES.join(', ')} (got ${value})`);
  return m as Modality;
};

export const ttaArg = (value: string): TestTimeAugmentation => {
  if (!(TEST_TIME_AUGMENTATIONS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected ${TEST_TIME_AUGMENTATIONS.join(' | ')} (got ${value})`);
  return value as TestTimeAugmentation;
};
