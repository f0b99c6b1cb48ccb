/** Reads the frame header (SOFn, ITU-T T.81 B.2.2) of a JPEG or JPEG-LS codestream without decoding it. */

export interface JpegFrameHeader {
  /** The SOF marker's low byte: 0xC0 baseline, 0xC1 extended, 0xC2 progressive, 0xC3 lossless, 0xF7 JPEG-LS, … */
  sof: number;
  precision: number;
  rows: number;
  columns: number;
  components: number;
}

/** The first frame header, or undefined when the bytes are not a JPEG stream or end before one. */
export function readJpegFrameHeader(b: Uint8Array): JpegFrameHeader | undefined {
  if (b.byteLength < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 4 <= b.byteLength) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    const length = (b[i + 2] << 8) | b[i + 3];
    const isSof = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7 || marker === 0xf8;
    if (isSof) {
      if (i + 10 > b.byteLength) return undefined;
      return { sof: marker, precision: b[i + 4], rows: (b[i + 5] << 8) | b[i + 6], columns: (b[i + 7] << 8) | b[i + 8], components: b[i + 9] };
    }
    if (marker === 0xda) return undefined; // scan before any frame header
    i += 2 + length;
  }
  return undefined;
}

/**
 * Position of the EOI/EOC marker (FFD9, shared by T.81, T.87 and JPEG 2000) that ends the codestream, or -1.
 * Only 0x00 (PS3.5 A.4 even-length padding) and 0xFF (seen in NEMA WG04 JPLL files) may follow it.
 * Used where a codec would silently decode a truncated stream into zeros.
 */
export function eoiPosition(b: Uint8Array): number {
  let end = b.byteLength;
  while (end > 0 && end > b.byteLength - 16 && b[end - 1] !== 0xd9) {
    if (b[end - 1] !== 0x00 && b[end - 1] !== 0xff) return -1;
    end--;
  }
  return end >= 2 && b[end - 1] === 0xd9 && b[end - 2] === 0xff ? end - 2 : -1;
}
