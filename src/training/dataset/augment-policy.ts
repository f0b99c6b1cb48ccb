/**
 * Training-time augmentation policy per modality; the Python trainer applies it on tensors
 * (trainer/gastric_trainer/augment.py). An endoscope looks at the mucosa from any roll angle, so every flip and
 * quarter turn is a view the model may meet, and colour varies with the scope. CT and PET slices have a canonical
 * orientation (anterior up, the patient's left on the image's right) that serving keeps, so they only get small
 * rotations (patient positioning).
 */
import type { TestTimeAugmentation } from '../../inference/tta';
import type { Modality } from '../../domain/modality';

export interface ColourJitterRange {
  /** Each factor is drawn in [1 - r, 1 + r]. */
  brightness: number;
  contrast: number;
  saturation: number;
  /** Hue rotation drawn in ±hueDegrees. */
  hueDegrees: number;
}

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
