/**
 * Sample containers and stored-value normalisation shared by every codec.
 * PS3.5 §8.1.1: only bits HighBit-BitsStored+1..HighBit of each BitsAllocated cell hold the value; the rest may carry
 * anything (old overlays), so they are masked off, and signed values are sign-extended from BitsStored.
 */
import type { PixelModule } from './pixel-module';

export type Samples = Uint8Array | Uint16Array | Int16Array;

/** Little-endian 16-bit cells from bytes (copied: the source may be unaligned). */
export function uint16FromLittleEndian(bytes: Uint8Array, count: number): Uint16Array {
  const out = new Uint16Array(count);
  const n = Math.min(count, bytes.byteLength >> 1);
  for (let i = 0, j = 0; i < n; i++, j += 2) out[i] = bytes[j] | (bytes[j + 1] << 8);
  return out;
}

/** Copy of bytes with each 16-bit word's bytes swapped (OW in Explicit VR Big Endian, PS3.5 §7.3). */
export function swap16(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  const even = bytes.byteLength & ~1;
  for (let i = 0; i < even; i += 2) {
    out[i] = bytes[i + 1];
    out[i + 1] = bytes[i];
  }
  if (even < bytes.byteLength) out[even] = bytes[even];
  return out;
}

/**
 * Monochrome stored values from raw cells: shift down to bit 0 (when HighBit ≠ BitsStored-1), mask to BitsStored,
 * sign-extend when PixelRepresentation is 1. Returns Uint8Array (8-bit unsigned), Uint16Array or Int16Array.
 */
export function normaliseStoredValues(raw: Uint8Array | Uint16Array, pm: PixelModule, highBit: number): Samples {
  const bits = pm.bitsStored;
  const shift = Math.max(0, highBit + 1 - bits);
  const mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
  const full = shift === 0 && bits === pm.bitsAllocated;
  if (pm.pixelRepresentation === 0) {
    if (full) return raw;
    const out = raw instanceof Uint8Array ? new Uint8Array(raw.length) : new Uint16Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = (raw[i] >>> shift) & mask;
    return out;
  }
  const out = new Int16Array(raw.length);
  const up = 32 - bits;
  for (let i = 0; i < raw.length; i++) out[i] = (((raw[i] >>> shift) & mask) << up) >> up;
  return out;
}
