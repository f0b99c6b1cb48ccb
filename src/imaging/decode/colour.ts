/**
 * Colour normalisation to interleaved RGB (PS3.3 C.7.6.3.1.2 photometric interpretations, C.7.6.3.1.5 palettes).
 * YBR_FULL uses the full-range ITU-R BT.601 equations given in PS3.3 C.7.6.3.1.2.
 */
import type { Dataset } from '../../dicom/io';

const clamp8 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** YBR_FULL → RGB in place on interleaved 8-bit samples. */
export function ybrFullToRgb(px: Uint8Array): Uint8Array {
  for (let i = 0; i + 2 < px.length; i += 3) {
    const y = px[i];
    const cb = px[i + 1] - 128;
    const cr = px[i + 2] - 128;
    px[i] = clamp8(y + 1.402 * cr);
    px[i + 1] = clamp8(y - 0.344136 * cb - 0.714136 * cr);
    px[i + 2] = clamp8(y + 1.772 * cb);
  }
  return px;
}

/**
 * Native YBR_FULL_422 (PS3.3 C.7.6.3.1.2): each horizontal pixel pair is stored Y1 Y2 Cb Cr. Upsamples chroma by
 * repetition and converts to interleaved RGB.
 */
export function ybr422ToRgb(src: Uint8Array, rows: number, columns: number): Uint8Array {
  const out = new Uint8Array(rows * columns * 3);
  let s = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c += 2) {
      const y1 = src[s];
      const y2 = src[s + 1];
      const cb = src[s + 2];
      const cr = src[s + 3];
      s += 4;
      const o = (r * columns + c) * 3;
      out[o] = y1;
      out[o + 1] = cb;
      out[o + 2] = cr;
      if (c + 1 < columns) {
        out[o + 3] = y2;
        out[o + 4] = cb;
        out[o + 5] = cr;
      }
    }
  }
  return ybrFullToRgb(out);
}

/** Planar configuration 1 (RRR…GGG…BBB…) → interleaved (RGBRGB…). */
export function planarToInterleaved<T extends Uint8Array | Uint16Array>(src: T, pixels: number): T {
  const out = new (src.constructor as new (n: number) => T)(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    out[p * 3] = src[p];
    out[p * 3 + 1] = src[pixels + p];
    out[p * 3 + 2] = src[2 * pixels + p];
  }
  return out;
}

/** One channel's palette: descriptor (entries, first mapped value, bits per entry) and 8-bit output values. */
export interface PaletteChannel {
  entries: number;
  firstMapped: number;
  values: Uint8Array;
}

/** Reads one channel's LUT (PS3.3 C.7.6.3.1.5-6); 16-bit entries are scaled to 8 bits. A string says why it cannot be read. */
export function readPaletteChannel(ds: Dataset, colour: 'Red' | 'Green' | 'Blue', bigEndian: boolean): PaletteChannel | string {
  const descriptor = ds[`${colour}PaletteColorLookupTableDescriptor`];
  if (!Array.isArray(descriptor) || descriptor.length < 3) return `${colour}PaletteColorLookupTableDescriptor is missing`;
  const entries = (Number(descriptor[0]) & 0xffff) || 65536; // 0 means 2^16 (C.7.6.3.1.5)
  const firstMapped = Number(descriptor[1]);
  const bits = Number(descriptor[2]);
  let data: unknown = ds[`${colour}PaletteColorLookupTableData`];
  if (Array.isArray(data)) data = data[0];
  if (!(data instanceof ArrayBuffer)) {
    return ds[`Segmented${colour}PaletteColorLookupTableData`] !== undefined
      ? 'segmented palette colour lookup tables are not supported'
      : `${colour}PaletteColorLookupTableData is missing`;
  }
  const bytes = new Uint8Array(data);
  const values = new Uint8Array(entries);
  if (bits === 8 && bytes.byteLength >= entries && bytes.byteLength < entries * 2) {
    values.set(bytes.subarray(0, entries)); // rare 8-bit-per-byte layout
  } else {
    if (bytes.byteLength < entries * 2) return `${colour} palette has ${bytes.byteLength} bytes for ${entries} entries`;
    const dv = new DataView(data);
    for (let i = 0; i < entries; i++) {
      const v = dv.getUint16(i * 2, !bigEndian);
      // 16-bit entries span 0..65535; 8-bit entries (C.7.6.3.1.5: still stored in 16-bit words) span 0..255
      values[i] = bits === 8 ? v & 0xff : v >> 8;
    }
  }
  return { entries, firstMapped: Number.isFinite(firstMapped) ? firstMapped : 0, values };
}

/** Indices → interleaved RGB; indices below/above the table clamp to its first/last entry (C.7.6.3.1.5). */
export function applyPalette(indices: ArrayLike<number>, channels: readonly [PaletteChannel, PaletteChannel, PaletteChannel]): Uint8Array {
  const out = new Uint8Array(indices.length * 3);
  for (let c = 0; c < 3; c++) {
    const { entries, firstMapped, values } = channels[c];
    for (let i = 0; i < indices.length; i++) {
      let k = indices[i] - firstMapped;
      k = k < 0 ? 0 : k >= entries ? entries - 1 : k;
      out[i * 3 + c] = values[k];
    }
  }
  return out;
}
