/**
 * Training-time augmentation of one model input (size × size × 3, HWC, normalised) with a seeded rng: the same rng
 * state gives the same augmented sample. The building blocks live in geometry.ts and colour.ts and are re-exported.
 *
 * Defaults per modality: an endoscope looks at the mucosa from any roll angle, so every flip and rotation is a view the
 * model may meet, and colour varies with the scope. CT and PET slices have a canonical orientation (anterior up, the
 * patient's left on the image's right) that serving keeps, so they only get small rotations (patient positioning).
 */
import type { TestTimeAugmentation } from '../../inference/tta';
import type { Rng } from '../../synth/rng';
import { blackAfterNormalisation, ColourJitterRange, colourJitter, drawColourJitter, Normalisation } from './colour';
import { Fill, flipHorizontal, flipVertical, rotate, rotate90, Sample } from './geometry';
import type { Modality } from '../../domain/modality';

export * from './colour';
export * from './geometry';

export interface AugmentPolicy {
  /** Probability of each flip. */
  flipHorizontal: number;
  flipVertical: number;
  /** Rotate by a uniformly drawn multiple of 90°. */
  rotate90: boolean;
  /** Small rotation drawn uniformly in ±maxDegrees (0: none). */
  maxDegrees: number;
  /** Colour jitter ranges, or null for none (greyscale-derived CT/PET channels have no colour to jitter). */
  colour: ColourJitterRange | null;
}

export const DEFAULT_AUGMENT_POLICY: Record<Modality, AugmentPolicy> = {
  ES: { flipHorizontal: 0.5, flipVertical: 0.5, rotate90: true, maxDegrees: 15, colour: { brightness: 0.2, contrast: 0.2, saturation: 0.2, hueDegrees: 8 } },
  CT: { flipHorizontal: 0, flipVertical: 0, rotate90: false, maxDegrees: 8, colour: null },
  PT: { flipHorizontal: 0, flipVertical: 0, rotate90: false, maxDegrees: 8, colour: null },
};

/** The test-time views a model trained under `policy` has met: only those are worth averaging over at serving. */
export function viewsTrainedWith(policy: AugmentPolicy): TestTimeAugmentation {
  const both = policy.flipHorizontal > 0 && policy.flipVertical > 0;
  if (both && policy.rotate90) return 'dihedral';
  if (both) return 'flips';
  return policy.flipHorizontal > 0 ? 'hflip' : 'none';
}

export interface AugmentContext {
  policy: AugmentPolicy;
  /** The input's normalisation (a PreprocessSpec fits): colour jitter works in un-normalised pixel values. */
  normalisation: Normalisation;
  /** Value for pixels a rotation uncovers; default black after normalisation. */
  fill?: Fill;
}

/** Draws and applies one augmentation; the rng is consumed in a fixed order whatever the policy turns off. */
export function augment(sample: Sample, rng: Rng, context: AugmentContext): Sample {
  const { policy, normalisation } = context;
  const fill = context.fill ?? blackAfterNormalisation(normalisation);
  const draws = { h: rng.next(), v: rng.next(), turns: rng.int(0, 3), degrees: rng.uniform(-1, 1) * policy.maxDegrees };
  const jitter = policy.colour && drawColourJitter(rng, policy.colour);
  let out = sample;
  if (draws.h < policy.flipHorizontal) out = flipHorizontal(out);
  if (draws.v < policy.flipVertical) out = flipVertical(out);
  if (policy.rotate90 && draws.turns !== 0) out = rotate90(out, draws.turns);
  if (draws.degrees !== 0) out = rotate(out, draws.degrees, fill);
  if (jitter) out = { ...out, image: colourJitter(out.image, jitter, normalisation) };
  // Always a new array, even when nothing was drawn, so callers may write to the result.
  return out === sample ? { ...sample, image: sample.image.slice(), mask: sample.mask?.slice() } : out;
}
