/**
 * RLE Lossless (PS3.5 Annex G). A frame is one fragment: a 64-byte header (segment count, then up to 15 segment
 * offsets, all uint32 LE) followed by PackBits-coded byte segments. Segments are ordered sample by sample and, within a
 * sample, most significant byte first (G.2); each decodes to Rows×Columns bytes.
 * The output is interleaved whatever PlanarConfiguration says, since the segments already separate the samples.
 */
import type { PixelModule } from './pixel-module';

/** Thrown for malformed RLE data; the caller turns it into a PixelDecodeError. */
export class RleFormatError extends Error {}

/** PackBits (G.3.1) decoding of src[start, end) into dst; returns the number of bytes written (never past dst). */
export function unpackBits(src: Uint8Array, start: number, end: number, dst: Uint8Array): number {
  let i = start;
  let o = 0;
  const limit = dst.length;
  while (i < end && o < limit) {
    const n = src[i++];
    if (n < 128) {
      // literal run of n+1 bytes
      const count = Math.min(n + 1, end - i, limit - o);
      dst.set(src.subarray(i, i + count), o);
      i += n + 1;
      o += count;
    } else if (n > 128) {
      // replicate the next byte 257-n times (n is -1..-127 as int8)
      if (i >= end) break;
      const count = Math.min(257 - n, limit - o);
      dst.fill(src[i++], o, o + count);
      o += count;
    }
    // n === 128 (-128): no operation
  }
  return o;
}

export function decodeRleFrame(frame: Uint8Array, pm: PixelModule): Uint8Array | Uint16Array {
  if (pm.bitsAllocated === 1) throw new RleFormatError('RLE with BitsAllocated 1 is not supported');
  if (frame.byteLength < 64) throw new RleFormatError(`frame has ${frame.byteLength} bytes, less than the 64-byte RLE header`);
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = dv.getUint32(0, true);
  const bytesPerSample = pm.bitsAllocated / 8;
  const expected = pm.samplesPerPixel * bytesPerSample;
  if (segments !== expected) {
    throw new RleFormatError(`header declares ${segments} segment(s), ${pm.samplesPerPixel} sample(s) of ${pm.bitsAllocated} bits need ${expected}`);
  }
  const offsets: number[] = [];
  for (let s = 0; s < segments; s++) offsets.push(dv.getUint32(4 + 4 * s, true));
  offsets.push(frame.byteLength);
  for (let s = 0; s < segments; s++) {
    if (offsets[s] < 64 || offsets[s] > offsets[s + 1]) throw new RleFormatError(`segment ${s + 1} offset ${offsets[s]} is outside the frame or out of order`);
  }

  const pixels = pm.rows * pm.columns;
  const spp = pm.samplesPerPixel;
  const out = bytesPerSample === 1 ? new Uint8Array(pixels * spp) : new Uint16Array(pixels * spp);
  const segment = new Uint8Array(pixels);
  for (let s = 0; s < segments; s++) {
    segment.fill(0);
    const written = unpackBits(frame, offsets[s], offsets[s + 1], segment);
    if (written < pixels) throw new RleFormatError(`segment ${s + 1} decodes to ${written} of ${pixels} bytes (truncated data)`);
    const sample = Math.floor(s / bytesPerSample);
    const shift = 8 * (bytesPerSample - 1 - (s % bytesPerSample));
    for (let p = 0, o = sample; p < pixels; p++, o += spp) out[o] |= segment[p] << shift;
  }
  return out;
}
