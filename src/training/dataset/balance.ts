/**
 * Class balancing for training. Cancer and normal images are far from even (controls are rare in the seed, and a
 * cancer patient's endoscopy mixes lesion and survey frames), so either
 * - sample: each epoch shows every image of the larger class once and repeats the smaller class to the same count, or
 * - weight: keep the natural order and scale each image's loss by its class weight.
 */
import { createRng } from '../../synth/rng';

export interface Labelled {
  cancer: boolean;
}

export interface ClassWeights {
  cancer: number;
  normal: number;
}

export interface BalancedSampler {
  /** Images per epoch: twice the larger class. */
  readonly epochLength: number;
  /** Indices into the items for epoch `epoch` (0-based); the same seed and epoch give the same order. */
  epoch(epoch: number): number[];
}

function classIndices(items: readonly Labelled[]): { cancer: number[]; normal: number[] } {
  const cancer: number[] = [];
  const normal: number[] = [];
  items.forEach((item, i) => (item.cancer ? cancer : normal).push(i));
  if (cancer.length === 0 || normal.length === 0) {
    throw new RangeError(`cannot balance classes: ${cancer.length} cancer and ${normal.length} normal images`);
  }
  return { cancer, normal };
}

function shuffle<T>(items: T[], next: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * The minority class is oversampled by whole passes plus a random part-pass (without replacement), so each minority
 * image appears ⌊M/m⌋ or ⌈M/m⌉ times in an epoch rather than a binomial number of times.
 */
export function createBalancedSampler(items: readonly Labelled[], options: { seed: number }): BalancedSampler {
  const { cancer, normal } = classIndices(items);
  const [major, minor] = cancer.length >= normal.length ? [cancer, normal] : [normal, cancer];
  return {
    epochLength: 2 * major.length,
    epoch(epoch: number): number[] {
      // Each epoch has its own stream, so epoch k's order does not depend on which epochs were drawn before.
      const rng = createRng((options.seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
      const repeated: number[] = [];
      for (let i = 0; i < Math.floor(major.length / minor.length); i++) repeated.push(...minor);
      repeated.push(...shuffle([...minor], rng.next).slice(0, major.length % minor.length));
      return shuffle([...major, ...repeated], rng.next);
    },
  };
}

/** Inverse class frequency, scaled so the mean weight over the items is 1: n / (2 · n_class). */
export function classWeights(items: readonly Labelled[]): ClassWeights {
  const { cancer, normal } = classIndices(items);
  return { cancer: items.length / (2 * cancer.length), normal: items.length / (2 * normal.length) };
}
