/**
 * Geometric augmentations of a model input (size × size × 3, HWC, already normalised). Each returns new arrays and
 * moves an optional label mask the same way, so a test (or a segmentation head) can check that labels follow the image.
 * Angles are clockwise as seen on screen (rows grow downwards).
 */

export interface Sample {
  /** size × size × 3, HWC, normalised. */
  image: Float32Array;
  size: number;
  /** size × size, one value per pixel (e.g. 1 inside a cancer polygon); transformed with the image. */
  mask?: Uint8Array;
}

/** Per-channel value the image gets where a rotation uncovers pixels: black after normalisation, (0 − mean) / std. */
export type Fill = readonly [number, number, number];

function checkSample({ image, size, mask }: Sample): void {
  if (image.length !== size * size * 3) throw new RangeError(`image has ${image.length} values, expected ${size}×${size}×3`);
  if (mask !== undefined && mask.length !== size * size) throw new RangeError(`mask has ${mask.length} values, expected ${size}×${size}`);
}

/** Output pixel (x, y) takes source pixel source(x, y): exact for flips and quarter turns. */
function remap(sample: Sample, source: (x: number, y: number) => [number, number]): Sample {
  checkSample(sample);
  const { image, size, mask } = sample;
  const out = new Float32Array(image.length);
  const outMask = mask && new Uint8Array(mask.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const [sx, sy] = source(x, y);
      const o = y * size + x;
      const s = sy * size + sx;
      out[3 * o] = image[3 * s];
      out[3 * o + 1] = image[3 * s + 1];
      out[3 * o + 2] = image[3 * s + 2];
      if (outMask && mask) outMask[o] = mask[s];
    }
  }
  return outMask ? { image: out, size, mask: outMask } : { image: out, size };
}

/** Mirror left ↔ right. */
export const flipHorizontal = (s: Sample): Sample => remap(s, (x, y) => [s.size - 1 - x, y]);

/** Mirror top ↔ bottom. */
export const flipVertical = (s: Sample): Sample => remap(s, (x, y) => [x, s.size - 1 - y]);

/** Rotate by quarterTurns × 90° clockwise (any integer; negative turns anticlockwise). */
export function rotate90(s: Sample, quarterTurns: number): Sample {
  const n = s.size - 1;
  switch ((((quarterTurns % 4) + 4) % 4) as 0 | 1 | 2 | 3) {
    case 0:
      return remap(s, (x, y) => [x, y]);
    case 1:
      return remap(s, (x, y) => [y, n - x]);
    case 2:
      return remap(s, (x, y) => [n - x, n - y]);
    case 3:
      return remap(s, (x, y) => [n - y, x]);
  }
}

/**
 * Rotate by `degrees` clockwise about the image centre. The image is resampled bilinearly, neighbours outside the
 * image count as `fill`; the mask takes its nearest source pixel (labels must not blend) and 0 outside.
 */
export function rotate(s: Sample, degrees: number, fill: Fill): Sample {
  checkSample(s);
  const { image, size, mask } = s;
  const rad = (degrees * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  const c = (size - 1) / 2;
  const out = new Float32Array(image.length);
  const outMask = mask && new Uint8Array(mask.length);
  const at = (x: number, y: number, ch: number): number => (x >= 0 && x < size && y >= 0 && y < size ? image[3 * (y * size + x) + ch] : fill[ch]);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Inverse map: the output point rotated back (anticlockwise) lands on its source.
      const dx = x - c;
      const dy = y - c;
      const sx = c + dx * cos + dy * sin;
      const sy = c - dx * sin + dy * cos;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = y * size + x;
      for (let ch = 0; ch < 3; ch++) {
        const top = at(x0, y0, ch) * (1 - fx) + at(x0 + 1, y0, ch) * fx;
        const bottom = at(x0, y0 + 1, ch) * (1 - fx) + at(x0 + 1, y0 + 1, ch) * fx;
        out[3 * o + ch] = top * (1 - fy) + bottom * fy;
      }
      if (outMask && mask) {
        const nx = Math.round(sx);
        const ny = Math.round(sy);
        outMask[o] = nx >= 0 && nx < size && ny >= 0 && ny < size ? mask[ny * size + nx] : 0;
      }
    }
  }
  return outMask ? { image: out, size, mask: outMask } : { image: out, size };
}
