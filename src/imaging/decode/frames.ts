/**
 * Finds one frame's bytes in Pixel Data (7FE0,0010), native or encapsulated.
 *
 * dcmjs gives PixelData as an array of ArrayBuffers: for native syntaxes one buffer holding every frame; for
 * encapsulated syntaxes one buffer per frame when the Basic Offset Table is filled (it merges a frame's fragments),
 * but one buffer per *fragment* when the table is empty. This module turns either shape into frames.
 */
import type { Dataset } from '../../dicom/io';
import { PixelDecodeError } from './errors';
import type { PixelModule } from './pixel-module';

/** Every buffer of the PixelData value, as dcmjs naturalized it. */
export function pixelDataItems(ds: Dataset, transferSyntaxUid: string): Uint8Array[] {
  const v: unknown = ds.PixelData;
  const list: unknown[] = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const items: Uint8Array[] = [];
  for (const b of list) {
    if (b instanceof ArrayBuffer) items.push(new Uint8Array(b));
    else if (ArrayBuffer.isView(b)) items.push(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  }
  if (items.length === 0 || items.every((i) => i.byteLength === 0)) throw new PixelDecodeError(transferSyntaxUid, 'dataset has no Pixel Data (7FE0,0010)');
  return items;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Bytes of one native frame; 1-bit data may start mid-byte (PS3.5 §8.1.1: bits pack across frame boundaries). */
export interface NativeFrame {
  bytes: Uint8Array;
  /** Bit where the frame starts in bytes[0] (non-zero only for BitsAllocated 1). */
  bitOffset: number;
}

/** Stored size of one native frame in bits; native YBR_FULL_422 keeps 2 samples per pixel (PS3.3 C.7.6.3.1.2). */
export function nativeFrameBits(pm: PixelModule): number {
  const samples = pm.photometricInterpretation === 'YBR_FULL_422' ? 2 : pm.samplesPerPixel;
  return pm.rows * pm.columns * samples * pm.bitsAllocated;
}

export function nativeFrame(items: readonly Uint8Array[], pm: PixelModule, frameIndex: number, transferSyntaxUid: string): NativeFrame {
  const all = concatBytes(items);
  const frameBits = nativeFrameBits(pm);
  const startBit = frameBits * frameIndex;
  const start = Math.floor(startBit / 8);
  const end = Math.ceil((startBit + frameBits) / 8);
  if (all.byteLength < end) {
    throw new PixelDecodeError(
      transferSyntaxUid,
      `Pixel Data has ${all.byteLength} bytes but frame ${frameIndex + 1} of ${pm.numberOfFrames} (${pm.rows}x${pm.columns}, ` +
        `${pm.samplesPerPixel} sample(s), BitsAllocated ${pm.bitsAllocated}) needs bytes ${start}..${end}: truncated data or inconsistent Rows/Columns/BitsAllocated`,
    );
  }
  return { bytes: all.subarray(start, end), bitOffset: startBit % 8 };
}

/** Does this fragment start a codestream (JPEG/JPEG-LS SOI, JPEG 2000 SOC or JP2 signature box)? */
function startsCodestream(f: Uint8Array): boolean {
  if (f.byteLength >= 2 && f[0] === 0xff && (f[1] === 0xd8 || f[1] === 0x4f)) return true;
  return f.byteLength >= 8 && f[0] === 0 && f[1] === 0 && f[2] === 0 && f[3] === 0x0c && f[4] === 0x6a && f[5] === 0x50;
}

/** Extended Offset Table (7FE0,0001, PS3.3 C.7.6.3.1.8): frame starts relative to the first fragment's item tag. */
function extendedOffsets(ds: Dataset): number[] | undefined {
  let v: unknown = ds.ExtendedOffsetTable;
  if (Array.isArray(v)) v = v[0];
  if (!(v instanceof ArrayBuffer) || v.byteLength % 8 !== 0 || v.byteLength === 0) return undefined;
  const dv = new DataView(v);
  const out: number[] = [];
  for (let i = 0; i < v.byteLength; i += 8) out.push(Number(dv.getBigUint64(i, true)));
  return out;
}

/**
 * Groups fragments into frames (PS3.5 A.4: a frame may span fragments, a fragment never holds two frames).
 * Order of evidence: one item per frame; a single frame takes every fragment; the Extended Offset Table; otherwise
 * the codestream start markers, which every frame's first fragment carries.
 */
function groupFragments(items: readonly Uint8Array[], ds: Dataset, frames: number): Uint8Array[][] | undefined {
  if (items.length === frames) return items.map((i) => [i]);
  if (frames === 1) return [items.slice()];
  if (items.length < frames) return undefined;
  const eot = extendedOffsets(ds);
  if (eot && eot.length === frames) {
    const groups: Uint8Array[][] = [];
    let pos = 0;
    let next = 0;
    for (const item of items) {
      if (next < frames && pos === eot[next]) {
        groups.push([]);
        next++;
      }
      if (groups.length === 0) return undefined;
      groups[groups.length - 1].push(item);
      pos += 8 + item.byteLength; // item tag + length precede each fragment
    }
    if (groups.length === frames) return groups;
  }
  const groups: Uint8Array[][] = [];
  for (const item of items) {
    if (startsCodestream(item) || groups.length === 0) groups.push([item]);
    else groups[groups.length - 1].push(item);
  }
  return groups.length === frames ? groups : undefined;
}

/** The compressed bytes of one frame. */
export function encapsulatedFrame(items: readonly Uint8Array[], ds: Dataset, pm: PixelModule, frameIndex: number, transferSyntaxUid: string): Uint8Array {
  const groups = groupFragments(items, ds, pm.numberOfFrames);
  if (!groups) {
    throw new PixelDecodeError(
      transferSyntaxUid,
      `cannot split ${items.length} pixel data fragment(s) into ${pm.numberOfFrames} frame(s) (no usable offset table or frame start markers)`,
    );
  }
  const frame = concatBytes(groups[frameIndex]);
  if (frame.byteLength === 0) throw new PixelDecodeError(transferSyntaxUid, `frame ${frameIndex + 1} is empty`);
  return frame;
}
