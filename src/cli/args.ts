/** Argument parsers shared by the verbs: each rejects bad input with a message commander prints. */
import { InvalidArgumentError } from 'commander';
import { TEST_TIME_AUGMENTATIONS, TestTimeAugmentation } from '../inference/tta';

export type ModalityArg = 'ES' | 'CT' | 'PT';

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

export const modalitiesArg = (value: string): ModalityArg[] => {
  const list = value.split(',').map((m) => m.trim().toUpperCase());
  const bad = list.filter((m) => !['ES', 'CT', 'PT'].includes(m));
  if (bad.length > 0 || list.length === 0) throw new InvalidArgumentError(`expected a comma list of ES, CT, PT (got ${value})`);
  return [...new Set(list)] as ModalityArg[];
};

export const modalityArg = (value: string): ModalityArg => {
  const m = value.trim().toUpperCase();
  if (!['ES', 'CT', 'PT'].includes(m)) throw new InvalidArgumentError(`expected ES, CT or PT (got ${value})`);
  return m as ModalityArg;
};

export const ttaArg = (value: string): TestTimeAugmentation => {
  if (!(TEST_TIME_AUGMENTATIONS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected ${TEST_TIME_AUGMENTATIONS.join(' | ')} (got ${value})`);
  return value as TestTimeAugmentation;
};
