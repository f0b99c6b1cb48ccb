/**
 * Pointing game for the localisation map (Zhang et al. 2018, "Top-down Neural Attention by
 * Excitation Backprop", IJCV): a cancer image is a hit when the map's maximum falls inside an
 * annotated cancer polygon. Images without polygons (normal frames) have nothing to point at and are
 * not scored (Zhang et al. score only images that contain the category).
 *
 * Pixel convention: pixel (column c, row r) is the point (c, r), the same one the label tools use
 * (polygonMask in src/synth/phantom-shapes.ts, rasterPolygon in src/synth/endoscopy-paint.ts), so every
 * pixel the label marks as cancer counts as a hit.
 */
import { MetricInputError } from './errors';
import { insidePolygon } from '../../imaging/polygon';

export { insidePolygon };

/** Closed polygon in pixel coordinates, [x (column), y (row)] pairs, first point not repeated (as in the labels). */
export type PixelPolygon = ReadonlyArray<readonly [number, number]>;

export interface PointingCase {
  /** Row-major probability map, width × height, in the pixel coordinates of the polygons. */
  map: Float32Array;
  width: number;
  height: number;
  /** Annotated cancer regions; empty for a normal image. */
  polygons: readonly PixelPolygon[];
}

export interface PointingOptions {
  /**
   * Also a hit when the maximum lies within this many pixels of a polygon (default 0). Zhang et al. use
   * 15 px on PASCAL VOC to absorb annotation slack; report it with the result if you set it.
   */
  tolerancePx?: number;
}

export interface PointingResult {
  /** Cases with at least one polygon. */
  scored: number;
  hits: number;
  /** hits / scored; null when no case was scored. */
  hitRate: number | null;
  /** Cases without polygons, not scored. */
  skipped: number;
}

/** Position of the map's maximum; ties go to the first in row-major order, NaN values are ignored. */
export function argmaxPixel(map: Float32Array, width: number, height: number): { x: number; y: number } {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || map.length !== width * height) {
    throw new MetricInputError(`argmaxPixel: map of ${map.length} values does not match ${width}×${height}`);
  }
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < map.length; i++) {
    // Strict ">" keeps the first of equal maxima.
    if (map[i] > bestValue || (best < 0 && map[i] === -Infinity)) {
      best = i;
      bestValue = map[i];
    }
  }
  if (best < 0) throw new MetricInputError('argmaxPixel: map has no numeric value');
  return { x: best % width, y: Math.floor(best / width) };
}

/** Euclidean distance from (x, y) to the polygon's outline. */
export function distanceToOutline(polygon: PixelPolygon, x: number, y: number): number {
  let best = Infinity;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [ax, ay] = polygon[j];
    const [bx, by] = polygon[i];
    const vx = bx - ax;
    const vy = by - ay;
    const l2 = vx * vx + vy * vy;
    const t = l2 > 0 ? Math.min(1, Math.max(0, ((x - ax) * vx + (y - ay) * vy) / l2)) : 0;
    best = Math.min(best, Math.hypot(x - ax - t * vx, y - ay - t * vy));
  }
  return best;
}

/** True when the map's maximum is inside (or within tolerancePx of) any polygon; false without polygons. */
export function pointingGameHit(c: PointingCase, options: PointingOptions = {}): boolean {
  const tolerance = options.tolerancePx ?? 0;
  if (!(tolerance >= 0)) throw new MetricInputError(`pointingGameHit: tolerancePx = ${tolerance}, expected >= 0`);
  const { x, y } = argmaxPixel(c.map, c.width, c.height);
  return c.polygons.some(
    (polygon) => insidePolygon(polygon, x, y) || (tolerance > 0 && distanceToOutline(polygon, x, y) <= tolerance),
  );
}

/** Pointing-game hit rate over the cases that have at least one polygon. */
export function pointingGameHitRate(cases: readonly PointingCase[], options: PointingOptions = {}): PointingResult {
  let scored = 0;
  let hits = 0;
  for (const c of cases) {
    if (c.polygons.length === 0) continue;
    scored++;
    if (pointingGameHit(c, options)) hits++;
  }
  return { scored, hits, hitRate: scored === 0 ? null : hits / scored, skipped: cases.length - scored };
}
