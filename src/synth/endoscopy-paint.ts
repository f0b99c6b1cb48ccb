/**
 * Low-level helpers for the synthetic endoscopy renderer: seeded value noise, star-shaped lesion
 * outlines, exact even-odd rasterisation of those outlines and small Gaussian blobs.
 * Everything works on flat typed arrays (row-major, width w) so a 640x480 frame stays fast.
 */
import type { Rng } from './rng';
import type { Polygon } from './types';

// Math functions bound once: global lookups in hot loops are slow inside vm sandboxes such as jest's.
const { PI, abs, atan2, ceil, cos, exp, floor, max, min, pow, round, sin, sqrt } = Math;

export const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

export function smoothstep(e0: number, e1: number, v: number): number {
  const t = clamp01((v - e0) / (e1 - e0));
  return t * t * (3 - 2 * t);
}

/**
 * Adds amp * smooth value noise with lattice spacing `cell` px to `out`. Lattice values and a
 * sub-cell offset come from the rng; per-column weights are precomputed so the inner loop is lookups.
 */
export function addValueNoise(out: Float32Array, w: number, h: number, cellPx: number, amp: number, rng: Rng): void {
  const cell = max(1, cellPx);
  const gw = ceil(w / cell) + 2;
  const gh = ceil(h / cell) + 2;
  const lat = new Float32Array(gw * gh);
  for (let i = 0; i < lat.length; i++) lat[i] = rng.next() * 2 - 1;
  const ox = rng.next() * cell;
  const oy = rng.next() * cell;
  const ix = new Int32Array(w);
  const sx = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const g = (x + ox) / cell;
    const i = floor(g);
    const f = g - i;
    ix[x] = i;
    sx[x] = f * f * (3 - 2 * f);
  }
  for (let y = 0; y < h; y++) {
    const g = (y + oy) / cell;
    const j = floor(g);
    const f = g - j;
    const t = f * f * (3 - 2 * f);
    const r0 = j * gw;
    const r1 = r0 + gw;
    let o = y * w;
    for (let x = 0; x < w; x++, o++) {
      const i = ix[x];
      const s = sx[x];
      const a = lat[r0 + i] + (lat[r0 + i + 1] - lat[r0 + i]) * s;
      const b = lat[r1 + i] + (lat[r1 + i + 1] - lat[r1 + i]) * s;
      out[o] += amp * (a + (b - a) * t);
    }
  }
}

/** Fractal sum of value noise over the given cell sizes (halving weights), roughly in [-1, 1]. */
export function fbm(w: number, h: number, cells: readonly number[], rng: Rng): Float32Array {
  const out = new Float32Array(w * h);
  let total = 0;
  for (let k = 0; k < cells.length; k++) total += pow(0.55, k);
  let amp = 1;
  for (const c of cells) {
    addValueNoise(out, w, h, c, (amp * 1.6) / total, rng);
    amp *= 0.55;
  }
  return out;
}

/**
 * A star-shaped outline around (cx, cy): n vertices at jittered but monotonic angles, radius r times
 * (1 + a few low harmonics + smoothed per-vertex jitter), so it is irregular yet simple (non self-crossing).
 */
export function starPolygon(rng: Rng, cx: number, cy: number, r: number, n: number, w: number, h: number): Polygon {
  const jit = new Float64Array(n);
  for (let i = 0; i < n; i++) jit[i] = rng.normal(0, 0.17);
  for (let pass = 0; pass < 2; pass++) {
    const prev = Float64Array.from(jit);
    for (let i = 0; i < n; i++) jit[i] = 0.25 * prev[(i + n - 1) % n] + 0.5 * prev[i] + 0.25 * prev[(i + 1) % n];
  }
  const harm: Array<[number, number, number]> = [];
  for (let k = 2; k <= 4; k++) harm.push([k, rng.uniform(0.02, 0.12) / sqrt(k - 1), rng.uniform(0, 2 * PI)]);
  const rot = rng.uniform(0, 2 * PI);
  const poly: Polygon = [];
  for (let i = 0; i < n; i++) {
    const a = rot + (2 * PI * (i + rng.uniform(-0.3, 0.3))) / n;
    let f = 1 + jit[i];
    for (const [k, amp, ph] of harm) f += amp * cos(k * a + ph);
    f = min(1.3, max(0.62, f));
    const x = min(w - 1, max(0, round(cx + r * f * cos(a))));
    const y = min(h - 1, max(0, round(cy + r * f * sin(a))));
    const last = poly[poly.length - 1];
    if (!last || last[0] !== x || last[1] !== y) poly.push([x, y]);
  }
  if (poly.length > 1 && poly[0][0] === poly[poly.length - 1][0] && poly[0][1] === poly[poly.length - 1][1]) poly.pop();
  return poly;
}

/** Coverage of a polygon over its bounding box: 1 for pixels the even-odd rule puts inside, <= 0.5 within 1 px outside. */
export interface PolyMask {
  x0: number;
  y0: number;
  bw: number;
  bh: number;
  alpha: Float32Array;
}

function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const vx = bx - ax;
  const vy = by - ay;
  const l2 = vx * vx + vy * vy;
  const t = l2 > 0 ? clamp01(((px - ax) * vx + (py - ay) * vy) / l2) : 0;
  const dx = px - ax - t * vx;
  const dy = py - ay - t * vy;
  return sqrt(dx * dx + dy * dy);
}

/**
 * Rasterises `poly` with the same even-odd test as PNPOLY at pixel points (x, y), so "alpha == 1"
 * is exactly the labelled region; outside pixels next to the edge get a thin anti-aliasing fringe.
 */
export function rasterPolygon(poly: Polygon, w: number, h: number): PolyMask {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [x, y] of poly) {
    minX = min(minX, x); maxX = max(maxX, x);
    minY = min(minY, y); maxY = max(maxY, y);
  }
  const x0 = max(0, floor(minX) - 2);
  const y0 = max(0, floor(minY) - 2);
  const bw = min(w - 1, ceil(maxX) + 2) - x0 + 1;
  const bh = min(h - 1, ceil(maxY) + 2) - y0 + 1;
  const alpha = new Float32Array(bw * bh);
  const xs: number[] = [];
  const n = poly.length;
  for (let by = 0; by < bh; by++) {
    const y = y0 + by;
    xs.length = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const [xi, yi] = poly[i];
      const [xj, yj] = poly[j];
      if (yi > y !== yj > y) xs.push(((xj - xi) * (y - yi)) / (yj - yi) + xi);
    }
    xs.sort((a, b) => a - b);
    // Inside iff an odd number of crossings lie strictly right of x: xs[2k] <= x < xs[2k+1].
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const xa = max(x0, ceil(xs[k]));
      const xb = min(x0 + bw - 1, ceil(xs[k + 1]) - 1);
      for (let x = xa; x <= xb; x++) alpha[by * bw + x - x0] = 1;
    }
  }
  // Fringe: outside pixels touching the inside get 0.5 * (1 - distance to the outline).
  for (let by = 1; by < bh - 1; by++) {
    for (let bx = 1; bx < bw - 1; bx++) {
      const o = by * bw + bx;
      if (alpha[o] === 1) continue;
      if (alpha[o - 1] !== 1 && alpha[o + 1] !== 1 && alpha[o - bw] !== 1 && alpha[o + bw] !== 1 &&
        alpha[o - bw - 1] !== 1 && alpha[o - bw + 1] !== 1 && alpha[o + bw - 1] !== 1 && alpha[o + bw + 1] !== 1) continue;
      let d = Infinity;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        d = min(d, segDist(x0 + bx, y0 + by, poly[j][0], poly[j][1], poly[i][0], poly[i][1]));
      }
      alpha[o] = 0.5 * clamp01(1 - d);
    }
  }
  return { x0, y0, bw, bh, alpha };
}

/** Distance from (cx, cy) to the outline along `bins` evenly spaced directions (ray cast, farthest hit). */
export function radialExtent(poly: Polygon, cx: number, cy: number, bins: number): Float32Array {
  const out = new Float32Array(bins);
  const n = poly.length;
  for (let b = 0; b < bins; b++) {
    const a = (2 * PI * b) / bins;
    const dx = cos(a);
    const dy = sin(a);
    let best = 1;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const ex = poly[i][0] - poly[j][0];
      const ey = poly[i][1] - poly[j][1];
      const den = dx * ey - dy * ex;
      if (abs(den) < 1e-9) continue;
      const qx = poly[j][0] - cx;
      const qy = poly[j][1] - cy;
      const t = (qx * ey - qy * ex) / den;
      const s = (qx * dy - qy * dx) / den;
      if (t > 0 && s >= 0 && s <= 1) best = max(best, t);
    }
    out[b] = best;
  }
  return out;
}

/** Linear lookup in a radial table for the angle atan2(dy, dx). */
export function radialAt(table: Float32Array, dy: number, dx: number): number {
  const bins = table.length;
  let f = (atan2(dy, dx) / (2 * PI)) * bins;
  if (f < 0) f += bins;
  const i = floor(f) % bins;
  const t = f - floor(f);
  return table[i] + (table[(i + 1) % bins] - table[i]) * t;
}

/** Adds an oriented Gaussian blob (sd rx along angle, ry across) of peak amp to a field. */
export function addBlob(field: Float32Array, w: number, h: number, cx: number, cy: number,
  rx: number, ry: number, angle: number, amp: number): void {
  const ext = 3 * max(rx, ry);
  const ca = cos(angle);
  const sa = sin(angle);
  const xa = max(0, floor(cx - ext)), xb = min(w - 1, ceil(cx + ext));
  const ya = max(0, floor(cy - ext)), yb = min(h - 1, ceil(cy + ext));
  for (let y = ya; y <= yb; y++) {
    for (let x = xa; x <= xb; x++) {
      const u = ((x - cx) * ca + (y - cy) * sa) / rx;
      const v = (-(x - cx) * sa + (y - cy) * ca) / ry;
      const e = 0.5 * (u * u + v * v);
      if (e < 9) field[y * w + x] += amp * exp(-e);
    }
  }
}
