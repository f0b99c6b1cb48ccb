/** How a modality's images become model inputs; stored in each model's manifest so training and serving agree. */
import { Rect } from './resize';
import type { Modality } from '../../domain/modality';

export interface PreprocessSpec {
  modality: Modality;
  /** Model input is size × size × 3. */
  size: number;
  /** Per-channel normalisation applied last: (value - mean) / std, values in [0, 1] before it. */
  mean: [number, number, number];
  std: [number, number, number];
  /** ES: crop to the lit field of view (drops the black border and text burned into it). */
  cropToFieldOfView: boolean;
  /** ES: a fixed source rectangle to use instead (e.g. a device whose overlay text sits inside the image). */
  fixedCrop: Rect | null;
}

/** ImageNet statistics for RGB endoscopy (what ImageNet-initialised ResNet50 weights expect). */
const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];
/** CT windows and PET SUV channels are already spread over [0, 1]; centre them. */
const UNIT_MEAN: [number, number, number] = [0.5, 0.5, 0.5];
const UNIT_STD: [number, number, number] = [0.25, 0.25, 0.25];

export function defaultPreprocessSpec(modality: Modality, size: number): PreprocessSpec {
  const rgb = modality === 'ES';
  return {
    modality,
    size,
    mean: rgb ? IMAGENET_MEAN : UNIT_MEAN,
    std: rgb ? IMAGENET_STD : UNIT_STD,
    cropToFieldOfView: rgb,
    fixedCrop: null,
  };
}
