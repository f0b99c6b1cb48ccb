/** Maps a map on the model grid (e.g. a CAM) back onto the source image's pixels by undoing the crop and resize. */
import { InputGeometry } from './types';

/**
 * Bilinear upsampling of `map` (mapWidth × mapHeight, covering the model input) into the crop rectangle of the
 * source; source pixels outside the crop get `outside`. Grid cells are treated as covering equal areas, so cell
 * (i, j) is centred at ((i + 0.5) / mapWidth) of the crop width.
 */
export function mapToSource(map: Float32Array, mapWidth: number, mapHeight: number, g: InputGeometry, outside = 0): Float32Array {
  const { sourceColumns: W, sourceRows: H, crop } = g;
  const out = new Float32Array(W * H).fill(outside);
  const x0 = Math.max(0, Math.floor(crop.x));
  const y0 = Math.max(0, Math.floor(crop.y));
  const x1 = Math.min(W, Math.ceil(crop.x + crop.width));
  const y1 = Math.min(H, Math.ceil(crop.y + crop.height));
  for (let y = y0; y < y1; y++) {
    const v = Math.min(mapHeight - 1, Math.max(0, ((y + 0.5 - crop.y) / crop.height) * mapHeight - 0.5));
    const r0 = Math.floor(v);
    const r1 = Math.min(mapHeight - 1, r0 + 1);
    const fv = v - r0;
    for (let x = x0; x < x1; x++) {
      const u = Math.min(mapWidth - 1, Math.max(0, ((x + 0.5 - crop.x) / crop.width) * mapWidth - 0.5));
      const c0 = Math.floor(u);
      const c1 = Math.min(mapWidth - 1, c0 + 1);
      const fu = u - c0;
      const top = map[r0 * mapWidth + c0] * (1 - fu) + map[r0 * mapWidth + c1] * fu;
      const bottom = map[r1 * mapWidth + c0] * (1 - fu) + map[r1 * mapWidth + c1] * fu;
      out[y * W + x] = top * (1 - fv) + bottom * fv;
    }
  }
  return out;
}

/**
 * Where a grid map peaks, in source pixels. The highest cell, refined to sub-cell precision by a parabola through it
 * and its two neighbours in each direction (the usual sub-pixel peak interpolation, offset within ±0.5 cell): on a
 * 7 × 7 grid a cell spans ~70 source pixels, wider than a small lesion, and the centre of the winning cell can miss a
 * lesion that sits at its edge. The result is put back through the crop and resize. Pass logits: they rank cells even
 * where probabilities saturate to a flat plateau.
 */
export function gridPeakOnSource(values: Float32Array, width: number, height: number, g: InputGeometry): [number, number] {
  let best = 0;
  for (let c = 1; c < values.length; c++) if (values[c] > values[best]) best = c;
  const column = best % width;
  const row = Math.floor(best / width);
  const at = (r: number, c: number): number => values[r * width + c];
  const dx = column > 0 && column < width - 1 ? parabolaOffset(at(row, column - 1), at(row, column), at(row, column + 1)) : 0;
  const dy = row > 0 && row < height - 1 ? parabolaOffset(at(row - 1, column), at(row, column), at(row + 1, column)) : 0;
  const x = g.crop.x + ((column + dx + 0.5) / width) * g.crop.width - 0.5;
  const y = g.crop.y + ((row + dy + 0.5) / height) * g.crop.height - 0.5;
  const clamp = (v: number, size: number): number => Math.min(size - 1, Math.max(0, Math.round(v)));
  return [clamp(x, g.sourceColumns), clamp(y, g.sourceRows)];
}

/** Vertex of the parabola through (-1, a), (0, b), (1, c) where b is the maximum: an offset in [-0.5, 0.5]. */
export function parabolaOffset(a: number, b: number, c: number): number {
  const curvature = a - 2 * b + c;
  if (!(curvature < 0)) return 0;
  return Math.max(-0.5, Math.min(0.5, (a - c) / (2 * curvature)));
}
