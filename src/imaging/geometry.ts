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
 * Where a grid map peaks, in source pixels: the centre of the highest cell put back through the crop and resize.
 * A bilinear upsampling (mapToSource) peaks exactly on a grid node, so this is its maximum without its ties: at the
 * border the clamped interpolation is flat out to the crop edge, and a saturated sigmoid is exactly 1 over whole
 * areas, so the first pixel of such a plateau is not where the map points. Pass logits, which rank cells even where
 * probabilities saturate.
 */
export function gridPeakOnSource(values: Float32Array, width: number, height: number, g: InputGeometry): [number, number] {
  let best = 0;
  for (let c = 1; c < values.length; c++) if (values[c] > values[best]) best = c;
  const column = best % width;
  const row = Math.floor(best / width);
  const x = g.crop.x + ((column + 0.5) / width) * g.crop.width - 0.5;
  const y = g.crop.y + ((row + 0.5) / height) * g.crop.height - 0.5;
  const clamp = (v: number, size: number): number => Math.min(size - 1, Math.max(0, Math.round(v)));
  return [clamp(x, g.sourceColumns), clamp(y, g.sourceRows)];
}
