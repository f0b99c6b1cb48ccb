/**
 * JPEG (PS3.5 A.4.1, ITU-T T.81), routed on the frame's own SOF marker rather than on the transfer syntax, since
 * mislabelled files are common: DCT processes at 8 bits go to libjpeg-turbo, lossless process 14 (SOF3) to
 * jpeg-lossless-decoder-js. 12-bit DCT (processes 2/4, 6/8, 10/12 at 12 bits) has no decoder here.
 */
import { CodecError, runCodec } from './wasm-codecs';
import { eoiPosition, readJpegFrameHeader } from './jpeg-markers';

export interface CodecPixels {
  rows: number;
  columns: number;
  components: number;
  /** 8-bit samples as Uint8Array, wider ones as Uint16Array; interleaved. */
  cells: Uint8Array | Uint16Array;
  /** libjpeg-turbo already converted YCbCr to RGB. */
  colourConverted: boolean;
}

interface LosslessDecoder {
  decompress(buffer: ArrayBuffer, offset?: number, length?: number): ArrayBuffer;
}
// require: the package ships no type declarations.
const lossless = require('jpeg-lossless-decoder-js') as { Decoder: new () => LosslessDecoder };

const SOF_NAMES: Record<number, string> = {
  0xc0: 'baseline DCT', 0xc1: 'extended DCT', 0xc2: 'progressive DCT', 0xc3: 'lossless',
  0xc5: 'differential sequential DCT', 0xc6: 'differential progressive DCT', 0xc7: 'differential lossless',
  0xc9: 'arithmetic extended DCT', 0xca: 'arithmetic progressive DCT', 0xcb: 'arithmetic lossless',
  0xcd: 'arithmetic differential sequential DCT', 0xce: 'arithmetic differential progressive DCT', 0xcf: 'arithmetic differential lossless',
  0xf7: 'JPEG-LS',
};

export async function decodeJpeg(frame: Uint8Array): Promise<CodecPixels> {
  const header = readJpegFrameHeader(frame);
  if (!header) throw new CodecError('no JPEG frame header (SOI/SOFn) found: not a JPEG stream, or truncated');
  const kind = SOF_NAMES[header.sof] ?? `SOF 0x${header.sof.toString(16)}`;
  if (header.sof === 0xc3) return decodeLossless(frame, header.components);
  if ([0xc0, 0xc1, 0xc2, 0xc9, 0xca].includes(header.sof)) {
    if (header.precision !== 8) {
      throw new CodecError(
        `${header.precision}-bit ${kind} JPEG is not supported: @cornerstonejs/codec-libjpeg-turbo-8bit decodes 8-bit DCT only and jpeg-lossless-decoder-js lossless (SOF3) only`,
      );
    }
    const out = await runCodec('libjpeg-turbo', frame);
    return { rows: out.info.height, columns: out.info.width, components: out.info.componentCount, cells: out.bytes, colourConverted: out.info.componentCount === 3 };
  }
  throw new CodecError(`${kind} JPEG (marker 0xFF${header.sof.toString(16).toUpperCase()}) is not supported`);
}

function decodeLossless(frame: Uint8Array, components: number): CodecPixels {
  // jpeg-lossless-decoder-js fills whatever it cannot read with zeros instead of failing: demand a complete stream.
  const eoi = eoiPosition(frame);
  if (eoi < 0) throw new CodecError('lossless JPEG stream does not end with an EOI marker (truncated data)');
  const header = readJpegFrameHeader(frame);
  if (!header) throw new CodecError('no JPEG frame header');
  if (components === 3 && header.precision > 8) throw new CodecError(`${header.precision}-bit colour lossless JPEG is not supported by jpeg-lossless-decoder-js`);
  let decoded: ArrayBuffer;
  try {
    const padded = padBeforeEoi(frame, eoi);
    decoded = new lossless.Decoder().decompress(padded.buffer as ArrayBuffer, 0, padded.byteLength);
  } catch (e) {
    throw new CodecError(`jpeg-lossless-decoder-js: ${e instanceof Error ? e.message : String(e)}`);
  }
  const cells = header.precision > 8 ? new Uint16Array(decoded) : new Uint8Array(decoded);
  return { rows: header.rows, columns: header.columns, components, cells, colourConverted: false };
}

/**
 * Copy of a lossless stream with 4 zero bytes inserted before its EOI marker. jpeg-lossless-decoder-js 2.1.2 reads
 * ahead while decoding a Huffman code; when that look-ahead meets the EOI marker it stops before writing the last
 * pixel (seen on CTImage.dcm_JPEGProcess14SV1…: bottom-right pixel 0 instead of -2000). Bytes after the last code are
 * never decoded as pixels (the decoder stops at the last pixel) and a prefix code does not depend on what follows it,
 * so the padding only gives the look-ahead something that is not a marker.
 */
function padBeforeEoi(frame: Uint8Array, eoi: number): Uint8Array {
  const out = new Uint8Array(eoi + 6);
  out.set(frame.subarray(0, eoi), 0);
  out.set([0xff, 0xd9], eoi + 4);
  return out;
}
