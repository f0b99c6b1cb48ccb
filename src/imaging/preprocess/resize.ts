/**
 * Resampling of interleaved float images. Downscaling uses a triangle filter widened by the scale factor (what
 * PIL calls antialiased bilinear), so a 640 px frame reduced to 112 px averages its pixels instead of skipping them.
 */

export interface FloatImage {
  width: number;
  height: number;
  channels: number;
  /** Row-major, interleaved. */
  data: Float32Array;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

/** Filter taps mapping output index o to source samples in [offset, offset + length). */
function taps(outSize: number, offset: number, length: number, srcSize: number): Taps {
  const scale = length / outSize;
  const support = Math.max(1, scale);
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  for (let o = 0; o < outSize; o++) {
    const center = offset + (o + 0.5) * scale - 0.5;
    const lo = Math.max(0, Math.floor(center - support) + 1);
    const hi = Math.min(srcSize - 1, Math.ceil(center + support) - 1);
    let n = 0;
    let total = 0;
    for (let s = lo; s <= hi && n < maxTaps; s++, n++) {
      const w = Math.max(0, 1 - Math.abs(s - center) / support);
      weights[o * maxTaps + n] = w;
      total += w;
    }
    if (total === 0) {
      // Degenerate (crop outside the image): nearest clamped sample.
      start[o] = Math.min(srcSize - 1, Math.max(0, Math.round(center)));
      count[o] = 1;
      weights[o * maxTaps] = 1;
      continue;
    }
    for (let k = 0; k < n; k++) weights[o * maxTaps + k] /= total;
    start[o] = lo;
    count[o] = n;
  }
  return { start, count, weights, maxTaps };
}

/** Resamples the `crop` rectangle of `src` to outWidth × outHeight (separable: rows first, then columns). */
export function resampleCrop(src: FloatImage, crop: Rect, outWidth: number, outHeight: number): FloatImage {
  const { channels: c } = src;
  const tx = taps(outWidth, crop.x, crop.width, src.width);
  const ty = taps(outHeight, crop.y, crop.height, src.height);
  // Horizontal pass over only the source rows the vertical pass will read.
  const rowLo = ty.start.reduce((m, v) => Math.min(m, v), src.height);
  const rowHi = ty.start.reduce((m, v, i) => Math.max(m, v + ty.count[i]), 0);
  const mid = new Float32Array((rowHi - rowLo) * outWidth * c);
  for (let y = rowLo; y < rowHi; y++) {
    const srcRow = y * src.width * c;
    const midRow = (y - rowLo) * outWidth * c;
    for (let o = 0; o < outWidth; o++) {
      const s0 = tx.start[o];
      const wBase = o * tx.maxTaps;
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let k = 0; k < tx.count[o]; k++) acc += tx.weights[wBase + k] * src.data[srcRow + (s0 + k) * c + ch];
        mid[midRow + o * c + ch] = acc;
      }
    }
  }
  const out = new Float32Array(outWidth * outHeight * c);
  const rowStride = outWidth * c;
  for (let o = 0; o < outHeight; o++) {
    const wBase = o * ty.maxTaps;
    const outRow = o * rowStride;
    for (let k = 0; k < ty.count[o]; k++) {
      const w = ty.weights[wBase + k];
      const midRow = (ty.start[o] + k - rowLo) * rowStride;
      for (let i = 0; i < rowStride; i++) out[outRow + i] += w * mid[midRow + i];
    }
  }
  return { width: outWidth, height: outHeight, channels: c, data: out };
}
