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

/** Bounding box of the pixels for which `inside(i)` holds (i = y × width + x); the whole image when none does. */
export function boxWhere(width: number, height: number, inside: (i: number) => boolean): Rect {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!inside(y * width + x)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? { x: 0, y: 0, width, height } : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}
