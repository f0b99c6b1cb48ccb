/** The last steps shared by every modality: resample the crop to size × size, normalise, record the geometry. */
import { ModelInput } from '../types';
import { FloatImage, Rect, resampleCrop } from './resize';
import { PreprocessSpec } from './spec';

export function finishInput(img: FloatImage, crop: Rect, spec: PreprocessSpec): ModelInput {
  const resized = resampleCrop(img, crop, spec.size, spec.size);
  const { data } = resized;
  for (let i = 0; i < data.length; i += 3) {
    for (let c = 0; c < 3; c++) data[i + c] = (data[i + c] - spec.mean[c]) / spec.std[c];
  }
  return { data, geometry: { sourceColumns: img.width, sourceRows: img.height, crop, size: spec.size } };
}

/** A square crop of side max(w, h) centred on `box`, kept inside the image where it fits (CT/PET keep aspect). */
export function squareAround(box: Rect, width: number, height: number): Rect {
  const side = Math.min(Math.max(box.width, box.height), Math.max(width, height));
  const clamp = (v: number, max: number): number => Math.max(0, Math.min(v, Math.max(0, max - side)));
  return {
    x: clamp(Math.round(box.x + box.width / 2 - side / 2), width),
    y: clamp(Math.round(box.y + box.height / 2 - side / 2), height),
    width: side,
    height: side,
  };
}
