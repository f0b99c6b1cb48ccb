/** Native (uncompressed) frames, PS3.5 §8.1: little-endian cells of BitsAllocated bits, samples as stored. */
import type { NativeFrame } from './frames';
import type { PixelModule } from './pixel-module';
import { uint16FromLittleEndian } from './samples';

/** Raw cells of one native frame: one byte per sample (1- and 8-bit) or one 16-bit cell per sample. */
export function nativeCells(frame: NativeFrame, pm: PixelModule): Uint8Array | Uint16Array {
  const samples = pm.rows * pm.columns * (pm.photometricInterpretation === 'YBR_FULL_422' ? 2 : pm.samplesPerPixel);
  if (pm.bitsAllocated === 16) return uint16FromLittleEndian(frame.bytes, samples);
  if (pm.bitsAllocated === 8) return frame.bytes.slice(0, samples);
  // BitsAllocated 1: bits are packed least significant bit first (PS3.5 §8.1.1 and Annex D).
  const out = new Uint8Array(samples);
  for (let i = 0; i < samples; i++) {
    const bit = frame.bitOffset + i;
    out[i] = (frame.bytes[bit >> 3] >> (bit & 7)) & 1;
  }
  return out;
}
