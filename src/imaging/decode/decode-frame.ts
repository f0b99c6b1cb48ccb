/**
 * decodeFrame: one frame of a Part 10 dataset → DecodedFrame (src/imaging/types.ts), whatever the transfer syntax.
 * Order: transfer syntax → Image Pixel Module checks → frame bytes → codec → stored values / colour normalisation.
 * Every failure, including codec crashes and inconsistent attributes, surfaces as PixelDecodeError.
 */
import * as fs from 'fs';
import { Dataset, Part10, readPart10 } from '../../dicom/io';
import type { DecodedFrame } from '../types';
import { applyPalette, planarToInterleaved, readPaletteChannel, ybr422ToRgb, ybrFullToRgb } from './colour';
import { describeThrown, PixelDecodeError } from './errors';
import { concatBytes, encapsulatedFrame, nativeFrame, pixelDataItems } from './frames';
import { CodecPixels, decodeJpeg } from './jpeg';
import { decodeJpegLs } from './jpeg-ls';
import { decodeJpeg2000 } from './jpeg2000';
import { nativeCells } from './native';
import { numberValue, text } from '../../dicom/attributes';
import { PixelModule, readPixelModule } from './pixel-module';
import { decodeRleFrame, RleFormatError } from './rle';
import { normaliseStoredValues, swap16 } from './samples';
import { PixelCodec, transferSyntaxInfo } from './transfer-syntax';
import { CodecError } from './wasm-codecs';

export { frameCount } from './pixel-module';

/** Cells as they come out of the codec, before stored-value and colour normalisation. */
interface RawFrame {
  cells: Uint8Array | Uint16Array;
  /** Colour already RGB (libjpeg-turbo's YCbCr conversion, JPEG 2000 MCT). */
  colourConverted: boolean;
  /** Native YBR_FULL_422: still 2 samples per pixel. */
  subsampled422: boolean;
}

export async function decodeFrame(part10: Part10, frameIndex = 0): Promise<DecodedFrame> {
  const uid = text(part10.meta, 'TransferSyntaxUID');
  try {
    return await decode(part10.dataset, uid, frameIndex);
  } catch (e) {
    if (e instanceof PixelDecodeError) throw e;
    if (e instanceof CodecError || e instanceof RleFormatError) throw new PixelDecodeError(uid, `frame ${frameIndex + 1}: ${e.message}`, { cause: e });
    throw new PixelDecodeError(uid, `frame ${frameIndex + 1} failed to decode: ${describeThrown(e)}`, { cause: e });
  }
}

/** Reads a Part 10 file and decodes one frame; unreadable files also throw PixelDecodeError. */
export async function decodeFile(file: string, frameIndex = 0): Promise<DecodedFrame> {
  let part10: Part10;
  try {
    part10 = readPart10(fs.readFileSync(file));
  } catch (e) {
    throw new PixelDecodeError('', `cannot read ${file} as DICOM Part 10: ${describeThrown(e)}`, { cause: e });
  }
  return decodeFrame(part10, frameIndex);
}

async function decode(ds: Dataset, uid: string, frameIndex: number): Promise<DecodedFrame> {
  const ts = transferSyntaxInfo(uid);
  if (!ts) throw new PixelDecodeError(uid, uid ? 'unknown transfer syntax' : 'file meta information has no TransferSyntaxUID');
  if (ts.codec === 'unsupported') throw new PixelDecodeError(uid, `not supported: ${ts.unsupportedReason ?? 'no decoder'}`);
  const items = pixelDataItems(ds, uid); // first: "no Pixel Data" says more about an SR than "Rows is missing"
  const pm = readPixelModule(ds, uid);
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= pm.numberOfFrames) {
    throw new PixelDecodeError(uid, `frame index ${frameIndex} is outside 0..${pm.numberOfFrames - 1}`);
  }
  const raw = await decodeRaw(ts.codec, ds, items, pm, frameIndex, uid);
  return normalise(raw, ds, pm, uid, ts.codec === 'native-big-endian');
}

async function decodeRaw(codec: PixelCodec, ds: Dataset, items: Uint8Array[], pm: PixelModule, frameIndex: number, uid: string): Promise<RawFrame> {
  switch (codec) {
    case 'native':
    case 'native-big-endian': {
      // dcmjs hands over OW values in file byte order: big endian words must be swapped before cells are read.
      // 8-bit data in OB needs no swap; 8-bit data in OW does (PS3.5 §7.3, A.3).
      const vr = ds._vrMap?.PixelData;
      const swap = codec === 'native-big-endian' && (pm.bitsAllocated === 16 || vr === 'OW');
      const data = swap ? [swap16(concatBytes(items))] : items;
      const frame = nativeFrame(data, pm, frameIndex, uid);
      const subsampled422 = pm.photometricInterpretation === 'YBR_FULL_422';
      if (subsampled422 && pm.bitsAllocated !== 8) throw new PixelDecodeError(uid, 'YBR_FULL_422 needs BitsAllocated 8');
      let cells = nativeCells(frame, pm);
      if (pm.samplesPerPixel === 3 && pm.planarConfiguration === 1 && !subsampled422) cells = planarToInterleaved(cells, pm.rows * pm.columns);
      return { cells, colourConverted: false, subsampled422 };
    }
    case 'rle':
      return { cells: decodeRleFrame(encapsulatedFrame(items, ds, pm, frameIndex, uid), pm), colourConverted: false, subsampled422: false };
    case 'jpeg':
    case 'jpeg-ls':
    case 'jpeg-2000': {
      const encoded = encapsulatedFrame(items, ds, pm, frameIndex, uid);
      const decoder = codec === 'jpeg' ? decodeJpeg : codec === 'jpeg-ls' ? decodeJpegLs : decodeJpeg2000;
      return fitCodecOutput(await decoder(encoded), pm, uid);
    }
    case 'unsupported':
      throw new PixelDecodeError(uid, 'not supported');
  }
}

/** Checks the codestream against the dataset's attributes and widens 8-bit codec output into 16-bit cells. */
function fitCodecOutput(px: CodecPixels, pm: PixelModule, uid: string): RawFrame {
  if (px.rows !== pm.rows || px.columns !== pm.columns || px.components !== pm.samplesPerPixel) {
    throw new PixelDecodeError(
      uid,
      `codestream is ${px.rows}x${px.columns} with ${px.components} component(s) but the dataset says Rows ${pm.rows}, Columns ${pm.columns}, SamplesPerPixel ${pm.samplesPerPixel}`,
    );
  }
  let cells = px.cells;
  if (pm.bitsAllocated === 16 && cells instanceof Uint8Array) cells = Uint16Array.from(cells);
  if (pm.bitsAllocated !== 16 && cells instanceof Uint16Array) {
    throw new PixelDecodeError(uid, `codestream has more than 8 bits per sample but BitsAllocated is ${pm.bitsAllocated}`);
  }
  return { cells, colourConverted: px.colourConverted, subsampled422: false };
}

function normalise(raw: RawFrame, ds: Dataset, pm: PixelModule, uid: string, bigEndian: boolean): DecodedFrame {
  const base = { rows: pm.rows, columns: pm.columns };
  const pi = pm.photometricInterpretation;
  if (pi === 'MONOCHROME1' || pi === 'MONOCHROME2') {
    const highBit = numberValue(ds, 'HighBit') ?? pm.bitsStored - 1;
    const pixels = normaliseStoredValues(raw.cells, pm, highBit);
    return { ...base, samplesPerPixel: 1, photometricInterpretation: pi, bitsStored: pm.bitsStored, pixelRepresentation: pm.pixelRepresentation, pixels };
  }
  if (pi === 'PALETTE COLOR') {
    const channels = (['Red', 'Green', 'Blue'] as const).map((c) => readPaletteChannel(ds, c, bigEndian));
    const problem = channels.find((c): c is string => typeof c === 'string');
    if (problem !== undefined) throw new PixelDecodeError(uid, `PALETTE COLOR: ${problem}`);
    const [r, g, b] = channels as Exclude<(typeof channels)[number], string>[];
    const highBit = numberValue(ds, 'HighBit') ?? pm.bitsStored - 1;
    const indices = normaliseStoredValues(raw.cells, pm, highBit);
    return { ...base, samplesPerPixel: 3, photometricInterpretation: 'RGB', bitsStored: 8, pixelRepresentation: 0, pixels: applyPalette(indices, [r, g, b]) };
  }
  // Three samples per pixel from here on.
  let pixels = raw.cells;
  if (raw.subsampled422) {
    pixels = ybr422ToRgb(pixels as Uint8Array, pm.rows, pm.columns);
  } else if ((pi === 'YBR_FULL' || pi === 'YBR_FULL_422') && !raw.colourConverted) {
    if (!(pixels instanceof Uint8Array)) throw new PixelDecodeError(uid, `${pi} with more than 8 bits per sample is not supported`);
    pixels = ybrFullToRgb(pixels); // cells are always our own copy: convert in place
  } else if (pi === 'YBR_PARTIAL_420') {
    throw new PixelDecodeError(uid, 'YBR_PARTIAL_420 is only defined for MPEG video and is not supported');
  }
  // RGB, and YBR_RCT / YBR_ICT whose transform the JPEG 2000 codec already undid, are RGB now.
  return { ...base, samplesPerPixel: 3, photometricInterpretation: 'RGB', bitsStored: pm.bitsStored, pixelRepresentation: 0, pixels };
}
