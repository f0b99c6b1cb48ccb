/**
 * The Image Pixel Module attributes (PS3.3 C.7.6.3) the decoder needs, read from a naturalized dataset and checked
 * for consistency before any byte is decoded.
 */
import type { Dataset } from '../../dicom/io';
import { PixelDecodeError } from './errors';
import { numberValue, text } from '../../dicom/attributes';

export type StoredPhotometric =
  | 'MONOCHROME1'
  | 'MONOCHROME2'
  | 'RGB'
  | 'PALETTE COLOR'
  | 'YBR_FULL'
  | 'YBR_FULL_422'
  | 'YBR_RCT'
  | 'YBR_ICT'
  | 'YBR_PARTIAL_420';

const PHOTOMETRICS: readonly StoredPhotometric[] = ['MONOCHROME1', 'MONOCHROME2', 'RGB', 'PALETTE COLOR', 'YBR_FULL', 'YBR_FULL_422', 'YBR_RCT', 'YBR_ICT', 'YBR_PARTIAL_420'];

export interface PixelModule {
  rows: number;
  columns: number;
  samplesPerPixel: 1 | 3;
  photometricInterpretation: StoredPhotometric;
  bitsAllocated: 1 | 8 | 16;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
  /** 0: R1G1B1R2G2B2…, 1: R1R2…G1G2…B1B2… (PS3.3 C.7.6.3.1.3). */
  planarConfiguration: 0 | 1;
  numberOfFrames: number;
}

/** Number of frames in the dataset (Number of Frames, PS3.3 C.7.6.6; absent means one). */
export function frameCount(dataset: Dataset): number {
  const n = numberValue(dataset, 'NumberOfFrames');
  return n !== undefined && Number.isInteger(n) && n >= 1 ? n : 1;
}

export function readPixelModule(ds: Dataset, transferSyntaxUid: string): PixelModule {
  const fail = (reason: string): never => {
    throw new PixelDecodeError(transferSyntaxUid, reason);
  };
  const positiveInt = (keyword: string, max: number): number => {
    const v = numberValue(ds, keyword);
    if (v === undefined) return fail(`${keyword} is missing`);
    if (!Number.isInteger(v) || v < 1 || v > max) return fail(`${keyword} ${v} is not an integer in 1..${max}`);
    return v;
  };
  const rows = positiveInt('Rows', 65535);
  const columns = positiveInt('Columns', 65535);
  const bitsAllocated = positiveInt('BitsAllocated', 64);
  if (bitsAllocated !== 1 && bitsAllocated !== 8 && bitsAllocated !== 16) {
    fail(`BitsAllocated ${bitsAllocated} is not supported (1, 8 or 16)`);
  }
  const bitsStored = numberValue(ds, 'BitsStored') ?? bitsAllocated;
  if (!Number.isInteger(bitsStored) || bitsStored < 1 || bitsStored > bitsAllocated) {
    fail(`BitsStored ${bitsStored} is inconsistent with BitsAllocated ${bitsAllocated}`);
  }
  const spp = numberValue(ds, 'SamplesPerPixel') ?? 1;
  if (spp !== 1 && spp !== 3) fail(`SamplesPerPixel ${spp} is not supported (1 or 3)`);
  const pr = numberValue(ds, 'PixelRepresentation') ?? 0;
  if (pr !== 0 && pr !== 1) fail(`PixelRepresentation ${pr} is neither 0 nor 1`);
  const pc = spp === 3 ? numberValue(ds, 'PlanarConfiguration') ?? 0 : 0;
  if (pc !== 0 && pc !== 1) fail(`PlanarConfiguration ${pc} is neither 0 nor 1`);

  const pi = (text(ds, 'PhotometricInterpretation') || (spp === 1 ? 'MONOCHROME2' : 'RGB')).toUpperCase();
  const photometric = PHOTOMETRICS.find((p) => p === pi);
  if (!photometric) return fail(`PhotometricInterpretation '${pi}' is not supported`);
  const expectedSpp = photometric.startsWith('MONOCHROME') || photometric === 'PALETTE COLOR' ? 1 : 3;
  if (expectedSpp !== spp) fail(`PhotometricInterpretation ${photometric} needs SamplesPerPixel ${expectedSpp}, dataset has ${spp}`);
  if (spp === 3 && bitsAllocated !== 8 && bitsAllocated !== 16) fail('colour pixel data needs BitsAllocated 8 or 16');

  return {
    rows,
    columns,
    samplesPerPixel: spp as 1 | 3,
    photometricInterpretation: photometric,
    bitsAllocated: bitsAllocated as 1 | 8 | 16,
    bitsStored,
    pixelRepresentation: pr as 0 | 1,
    planarConfiguration: pc as 0 | 1,
    numberOfFrames: frameCount(ds),
  };
}
