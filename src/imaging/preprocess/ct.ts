/** CT slices → three-window model input: HU from the Modality LUT (rescale), one window per channel. */
import { Dataset } from '../../dicom/io';
import { DecodedFrame, ModelInput } from '../types';
import { PreprocessError } from './errors';
import { boxWhere, finishInput, squareAround } from './finish';
import { FloatImage } from './resize';
import { PreprocessSpec } from './spec';

export interface Window {
  center: number;
  width: number;
}

/** Soft tissue (abdomen), narrow (gastric wall vs. enhancing tumour), wide (fat/air/bone context). */
export const CT_WINDOWS: readonly [Window, Window, Window] = [
  { center: 40, width: 400 },
  { center: 60, width: 160 },
  { center: 200, width: 1800 },
];
/** Voxels above this are inside the body, for the crop. */
const BODY_HU = -500;

function numberAttr(dataset: Dataset, keyword: string, fallback: number): number {
  const v = dataset[keyword];
  const n = Array.isArray(v) ? Number(v[0]) : v === undefined || v === '' ? fallback : Number(v);
  if (!Number.isFinite(n)) throw new PreprocessError(`CT: ${keyword} is not a number (${String(v)})`);
  return n;
}

/** HU per pixel (PS3.3 C.11.1: output = stored × RescaleSlope + RescaleIntercept). */
export function hounsfield(frame: DecodedFrame, dataset: Dataset): Float32Array {
  if (frame.samplesPerPixel !== 1) throw new PreprocessError('CT: expected one sample per pixel');
  const slope = numberAttr(dataset, 'RescaleSlope', 1);
  const intercept = numberAttr(dataset, 'RescaleIntercept', 0);
  const hu = new Float32Array(frame.pixels.length);
  for (let i = 0; i < hu.length; i++) hu[i] = frame.pixels[i] * slope + intercept;
  return hu;
}


export function preprocessCt(frame: DecodedFrame, dataset: Dataset, spec: PreprocessSpec): ModelInput {
  const hu = hounsfield(frame, dataset);
  const { columns: width, rows: height } = frame;
  const data = new Float32Array(width * height * 3);
  for (let i = 0; i < hu.length; i++) {
    for (let c = 0; c < 3; c++) {
      const w = CT_WINDOWS[c];
      data[i * 3 + c] = Math.min(1, Math.max(0, (hu[i] - (w.center - w.width / 2)) / w.width));
    }
  }
  const img: FloatImage = { width, height, channels: 3, data };
  return finishInput(img, squareAround(boxWhere(width, height, (i) => hu[i] > BODY_HU), width, height), spec);
}
