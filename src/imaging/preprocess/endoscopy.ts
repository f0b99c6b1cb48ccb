/** Endoscopy stills → RGB model input: crop to the lit field of view, resize, normalise. */
import { DecodedFrame, ModelInput } from '../types';
import { PreprocessError } from './errors';
import { finishInput } from './finish';
import { FloatImage, Rect } from './resize';
import { PreprocessSpec } from './spec';

/** A pixel is "lit" above this luminance (0-255); black borders of real endoscopes sit well below it. */
const LIT_LUMINANCE = 24;
/** A row/column belongs to the field of view when this fraction of it is lit (burned-in text lines stay below). */
const LIT_FRACTION = 0.12;

function rgbImage(frame: DecodedFrame): FloatImage {
  const n = frame.rows * frame.columns;
  const maxValue = 2 ** Math.min(frame.bitsStored, 16) - 1;
  const scale = 255 / maxValue;
  const data = new Float32Array(n * 3);
  if (frame.samplesPerPixel === 3) {
    for (let i = 0; i < n * 3; i++) data[i] = frame.pixels[i] * scale;
  } else {
    // Greyscale endoscopy (rare): replicate; MONOCHROME1 is inverted so that bright is bright.
    const invert = frame.photometricInterpretation === 'MONOCHROME1';
    for (let i = 0; i < n; i++) {
      const v = (invert ? maxValue - frame.pixels[i] : frame.pixels[i]) * scale;
      data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = v;
    }
  }
  return { width: frame.columns, height: frame.rows, channels: 3, data };
}

/** Bounding box of the rows and columns that are mostly lit; the whole image when nothing is. */
export function fieldOfView(img: FloatImage): Rect {
  const { width, height, data } = img;
  const rowLit = new Uint32Array(height);
  const colLit = new Uint32Array(width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      if (0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2] > LIT_LUMINANCE) {
        rowLit[y]++;
        colLit[x]++;
      }
    }
  }
  const span = (counts: Uint32Array, length: number): [number, number] => {
    let lo = 0;
    let hi = counts.length - 1;
    while (lo < hi && counts[lo] < LIT_FRACTION * length) lo++;
    while (hi > lo && counts[hi] < LIT_FRACTION * length) hi--;
    return [lo, hi];
  };
  const [y0, y1] = span(rowLit, width);
  const [x0, x1] = span(colLit, height);
  if (x1 - x0 < width / 8 || y1 - y0 < height / 8) return { x: 0, y: 0, width, height };
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

export function preprocessEndoscopy(frame: DecodedFrame, spec: PreprocessSpec): ModelInput {
  if (frame.samplesPerPixel !== 3 && frame.samplesPerPixel !== 1) throw new PreprocessError(`endoscopy: unsupported samples per pixel ${frame.samplesPerPixel}`);
  const img = rgbImage(frame);
  const crop = spec.fixedCrop ?? (spec.cropToFieldOfView ? fieldOfView(img) : { x: 0, y: 0, width: img.width, height: img.height });
  for (let i = 0; i < img.data.length; i++) img.data[i] /= 255;
  return finishInput(img, crop, spec);
}
