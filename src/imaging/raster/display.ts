/**
 * Decoded frames as pictures for people (reports, overlays): endoscopy as is, CT in the soft-tissue window,
 * PET as an inverted SUV scale (0-6), the way nuclear medicine reads it.
 */
import { Dataset } from '../../dicom/io';
import { hounsfield } from '../preprocess/ct';
import { suvFactor } from '../preprocess/pet';
import { DecodedFrame } from '../types';
import { RgbRaster } from '../../raster/png';

const CT_DISPLAY = { center: 40, width: 400 };
const PET_DISPLAY_SUV_MAX = 6;

function grey(values: ArrayLike<number>, width: number, height: number, toByte: (v: number) => number): RgbRaster {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = Math.max(0, Math.min(255, Math.round(toByte(values[i]))));
  return { width, height, rgb };
}

export function displayRaster(frame: DecodedFrame, dataset: Dataset, modality: string): RgbRaster {
  const { columns: width, rows: height } = frame;
  if (frame.samplesPerPixel === 3) {
    const shift = Math.max(0, frame.bitsStored - 8);
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = frame.pixels[i] >> shift;
    return { width, height, rgb };
  }
  if (modality === 'CT') {
    const lo = CT_DISPLAY.center - CT_DISPLAY.width / 2;
    return grey(hounsfield(frame, dataset), width, height, (hu) => ((hu - lo) / CT_DISPLAY.width) * 255);
  }
  if (modality === 'PT') {
    const f = suvFactor(dataset);
    return grey(frame.pixels, width, height, (v) => 255 - ((v * f) / PET_DISPLAY_SUV_MAX) * 255);
  }
  // Anything else: full stored range, MONOCHROME1 inverted.
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < width * height; i++) {
    min = Math.min(min, frame.pixels[i]);
    max = Math.max(max, frame.pixels[i]);
  }
  const invert = frame.photometricInterpretation === 'MONOCHROME1';
  return grey(frame.pixels, width, height, (v) => {
    const t = max > min ? (v - min) / (max - min) : 0;
    return (invert ? 1 - t : t) * 255;
  });
}
