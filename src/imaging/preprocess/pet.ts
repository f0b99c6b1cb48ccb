/**
 * PET slices → SUV model input. SUVbw = activity [Bq/ml] × body weight [g] / injected dose decayed to the scan
 * start [Bq] (the usual definition, e.g. the QIBA FDG profile), valid for Units BQML and DecayCorrection START.
 */
import { Dataset } from '../../dicom/io';
import { DecodedFrame, ModelInput } from '../types';
import { PreprocessError } from './errors';
import { boxWhere, finishInput, squareAround } from './finish';
import { FloatImage } from './resize';
import { PreprocessSpec } from './spec';
import { text } from '../../dicom/attributes';

/** Channel ranges: lesion scale, log scale for the whole range, background anatomy. */
const SUV_HIGH = 10;
const SUV_LOG_MAX = Math.log1p(30);
const SUV_LOW = 2.5;
/** Voxels above this SUV are inside the body, for the crop. */
const BODY_SUV = 0.2;

const num = (v: unknown): number => Number(Array.isArray(v) ? v[0] : v);

function required(dataset: Dataset | Record<string, unknown>, keyword: string): number {
  const n = num(dataset[keyword]);
  if (dataset[keyword] === undefined || dataset[keyword] === '' || !Number.isFinite(n)) throw new PreprocessError(`PET: ${keyword} is missing or not a number; SUV cannot be computed`);
  return n;
}

/** Seconds since midnight of a DICOM TM (HHMMSS.frac). */
function seconds(tm: unknown, keyword: string): number {
  const s = String(tm ?? '');
  const m = /^(\d{2})(\d{2})?(\d{2})?(\.\d+)?$/.exec(s);
  if (!m) throw new PreprocessError(`PET: ${keyword} "${s}" is not a DICOM time`);
  return Number(m[1]) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) + Number(m[4] ?? 0);
}

/** Multiplier from stored pixel value to SUVbw. */
export function suvFactor(dataset: Dataset): number {
  const units = text(dataset, 'Units');
  if (units !== 'BQML') throw new PreprocessError(`PET: Units "${units}" is not BQML; SUV cannot be computed`);
  const decay = text(dataset, 'DecayCorrection');
  if (decay !== 'START') throw new PreprocessError(`PET: DecayCorrection "${decay}" is not START; SUV cannot be computed`);
  const weightG = required(dataset, 'PatientWeight') * 1000;
  const info = (dataset.RadiopharmaceuticalInformationSequence as Array<Record<string, unknown>> | undefined)?.[0];
  if (!info) throw new PreprocessError('PET: RadiopharmaceuticalInformationSequence is missing; SUV cannot be computed');
  const dose = required(info, 'RadionuclideTotalDose');
  const halfLife = required(info, 'RadionuclideHalfLife');
  // Series start and injection times (same day; a scan started after midnight wraps).
  let elapsed = seconds(dataset.SeriesTime, 'SeriesTime') - seconds(info.RadiopharmaceuticalStartTime, 'RadiopharmaceuticalStartTime');
  if (elapsed < 0) elapsed += 86400;
  const decayedDose = dose * Math.pow(2, -elapsed / halfLife);
  const slope = dataset.RescaleSlope === undefined ? 1 : num(dataset.RescaleSlope);
  const intercept = dataset.RescaleIntercept === undefined ? 0 : num(dataset.RescaleIntercept);
  if (intercept !== 0) throw new PreprocessError('PET: non-zero RescaleIntercept is not supported');
  return (slope * weightG) / decayedDose;
}

export function preprocessPet(frame: DecodedFrame, dataset: Dataset, spec: PreprocessSpec): ModelInput {
  if (frame.samplesPerPixel !== 1) throw new PreprocessError('PET: expected one sample per pixel');
  const factor = suvFactor(dataset);
  const { columns: width, rows: height } = frame;
  const data = new Float32Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const suv = Math.max(0, frame.pixels[i] * factor);
    data[i * 3] = Math.min(1, suv / SUV_HIGH);
    data[i * 3 + 1] = Math.min(1, Math.log1p(suv) / SUV_LOG_MAX);
    data[i * 3 + 2] = Math.min(1, suv / SUV_LOW);
  }
  const img: FloatImage = { width, height, channels: 3, data };
  const body = boxWhere(width, height, (i) => frame.pixels[i] * factor > BODY_SUV);
  return finishInput(img, squareAround(body, width, height), spec);
}
