/**
 * The source image as an 8-bit RGB picture for an overlay. Result inputs hold naturalized datasets without their file
 * meta, so the transfer syntax is recognised from Pixel Data itself: native data has exactly the frame size, and an
 * encapsulated frame starts with its codestream's signature (PS3.5 A.4).
 */
import { Dataset } from '../../dicom/io';
import { decodeFrame } from '../decode';
import { displayRaster } from './display';
import { RgbRaster } from '../../raster/png';

const firstBuffer = (ds: Dataset): Uint8Array | null => {
  const v: unknown = Array.isArray(ds.PixelData) ? ds.PixelData[0] : ds.PixelData;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return null;
};

/** JPEG process from the first SOF marker: baseline, extended, progressive, lossless or JPEG-LS. */
function jpegSyntax(b: Uint8Array): string | null {
  for (let i = 2; i + 3 < b.length; ) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    if (marker === 0xc0) return '1.2.840.10008.1.2.4.50';
    if (marker === 0xc1) return '1.2.840.10008.1.2.4.51';
    if (marker === 0xc2) return '1.2.840.10008.1.2.4.55';
    if (marker === 0xc3) return '1.2.840.10008.1.2.4.57';
    if (marker === 0xf7) return '1.2.840.10008.1.2.4.80';
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    i += 2 + ((b[i + 2] << 8) | b[i + 3]);
  }
  return null;
}

export function recogniseTransferSyntax(ds: Dataset): string {
  const b = firstBuffer(ds);
  if (!b) throw new Error('source has no Pixel Data');
  const spp = Number(ds.SamplesPerPixel ?? 1);
  const bits = Number(ds.BitsAllocated ?? 8);
  const samples = String(ds.PhotometricInterpretation) === 'YBR_FULL_422' ? 2 : spp;
  const frameBytes = Math.ceil((Number(ds.Rows) * Number(ds.Columns) * samples * bits) / 8);
  if (b[0] === 0xff && b[1] === 0xd8) return jpegSyntax(b) ?? '1.2.840.10008.1.2.4.50';
  if ((b[0] === 0xff && b[1] === 0x4f) || (b[3] === 0x0c && b[4] === 0x6a && b[5] === 0x50)) return '1.2.840.10008.1.2.4.91';
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length >= 64 && b.length < frameBytes && dv.getUint32(0, true) >= 1 && dv.getUint32(0, true) <= 15 && dv.getUint32(4, true) === 64) return '1.2.840.10008.1.2.5';
  return '1.2.840.10008.1.2.1';
}

/** ES as is, CT in a soft-tissue window, PET on an inverted SUV scale (src/imaging/raster/display.ts). */
export async function sourceRaster(ds: Dataset, frame: number, transferSyntaxUid?: string): Promise<RgbRaster> {
  const decoded = await decodeFrame({ meta: { TransferSyntaxUID: transferSyntaxUid ?? recogniseTransferSyntax(ds) }, dataset: ds }, frame);
  return displayRaster(decoded, ds, String(ds.Modality ?? ''));
}
