/** The tests' own point-in-polygon oracle (even-odd rule, W. R. Franklin's PNPOLY), independent of the renderers. */
import type { Polygon } from '../../src/synth/types';

export function insidePolygon(poly: Polygon, x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
