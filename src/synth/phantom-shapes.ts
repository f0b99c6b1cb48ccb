/**
 * Geometry shared by the CT and PET phantoms: the axial slice grid (patient mm <-> pixel),
 * ellipse / polygon rasterising and a separable Gaussian blur.
 * Coordinates follow DICOM LPS: +x = patient left (image right), +y = posterior (image down).
 * Polygons are in pixel units where pixel (column c, row r) has its centre at (c, r).
 */
import type { Rng } from './rng';
import type { Polygon } from './types';
import { insidePolygon } from '../imaging/polygon';

// Local aliases: jest runs modules in a vm context where each global lookup (Math.*) in a hot loop is ~10x slower.
const { exp, floor, log, max, min, round, sqrt } = Math;
const sine = Math.sin;
const cosine = Math.cos;
const TWO_PI = 2 * Math.PI;

export interface SliceGrid {
  rows: number;
  columns: number;
  /** Square pixel size in mm. */
  spacing: number;
  /** Patient x / y (mm) of the centre of pixel (0, 0), as ImagePositionPatient gives it. */
  x0: number;
  y0: number;
}

export function sliceGrid(rows: number, columns: number, spacing: number): SliceGrid {
  return { rows, columns, spacing, x0: -(columns / 2) * spacing, y0: -(rows / 2) * spacing };
}

/** An ellipse in patient mm; angle (radians) rotates the rx axis from +x towards +y. */
export interface Ellipse {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  angle: number;
}

/** rho: normalised radius (1 on the outline); u, v: mm along the ellipse's own axes. */
export type PixelVisitor = (index: number, rho: number, u: number, v: number) => void;

/** Visits every pixel whose centre lies inside the ellipse grown by `scale`. */
export function forEachInEllipse(g: SliceGrid, e: Ellipse, visit: PixelVisitor, scale = 1): void {
  const ext = max(e.rx, e.ry) * scale;
  const s = g.spacing;
  const c0 = max(0, floor((e.cx - ext - g.x0) / s));
  const c1 = min(g.columns - 1, Math.ceil((e.cx + ext - g.x0) / s));
  const r0 = max(0, floor((e.cy - ext - g.y0) / s));
  const r1 = min(g.rows - 1, Math.ceil((e.cy + ext - g.y0) / s));
  const cos = Math.cos(e.angle);
  const sin = Math.sin(e.angle);
  const irx = 1 / e.rx;
  const iry = 1 / e.ry;
  const lim = scale * scale;
  for (let r = r0; r <= r1; r++) {
    const dy = g.y0 + r * s - e.cy;
    for (let c = c0; c <= c1; c++) {
      const dx = g.x0 + c * s - e.cx;
      const u = dx * cos + dy * sin;
      const v = dy * cos - dx * sin;
      const q = (u * irx) ** 2 + (v * iry) ** 2;
      if (q <= lim) visit(r * g.columns + c, sqrt(q), u, v);
    }
  }
}

export function fillEllipse(img: Float32Array, g: SliceGrid, e: Ellipse, value: number): void {
  forEachInEllipse(g, e, (i) => {
    img[i] = value;
  });
}

/** Patient mm -> pixel coordinates. */
export function toPixel(g: SliceGrid, x: number, y: number): [number, number] {
  return [(x - g.x0) / g.spacing, (y - g.y0) / g.spacing];
}

/** Rounds to integer pixels inside the image and drops repeated points; null when fewer than 3 remain. */
export function tidyPolygon(g: SliceGrid, pts: Array<[number, number]>): Polygon | null {
  const out: Polygon = [];
  for (const [x, y] of pts) {
    const p: [number, number] = [
      min(g.columns - 1, max(0, round(x))),
      min(g.rows - 1, max(0, round(y))),
    ];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  while (out.length > 1 && out[0][0] === out[out.length - 1][0] && out[0][1] === out[out.length - 1][1]) out.pop();
  return out.length >= 3 ? out : null;
}

/** The ellipse's outline as an n-gon in pixel coordinates. */
export function ellipsePolygon(g: SliceGrid, e: Ellipse, n = 24): Polygon | null {
  const cos = Math.cos(e.angle);
  const sin = Math.sin(e.angle);
  const pts: Array<[number, number]> = [];
  for (let k = 0; k < n; k++) {
    const t = (2 * Math.PI * k) / n;
    const u = e.rx * Math.cos(t);
    const v = e.ry * Math.sin(t);
    pts.push(toPixel(g, e.cx + u * cos - v * sin, e.cy + u * sin + v * cos));
  }
  return tidyPolygon(g, pts);
}

/** 1 where the pixel centre is inside the polygon (even-odd crossing test, as a label reader does). */
export function polygonMask(poly: Polygon, columns: number, rows: number): Uint8Array {
  const mask = new Uint8Array(columns * rows);
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [x, y] of poly) {
    minX = min(minX, x);
    maxX = max(maxX, x);
    minY = min(minY, y);
    maxY = max(maxY, y);
  }
  for (let r = max(0, floor(minY)); r <= min(rows - 1, Math.ceil(maxY)); r++) {
    for (let c = max(0, floor(minX)); c <= min(columns - 1, Math.ceil(maxX)); c++) {
      if (insidePolygon(poly, c, r)) mask[r * columns + c] = 1;
    }
  }
  return mask;
}

/** In-place separable Gaussian blur (edges clamped): models a scanner's point-spread function. */
export function gaussianBlur(img: Float32Array, columns: number, rows: number, sigmaPx: number): void {
  const rad = max(1, Math.ceil(3 * sigmaPx));
  const k = new Float32Array(2 * rad + 1);
  let sum = 0;
  for (let i = -rad; i <= rad; i++) sum += k[i + rad] = exp(-(i * i) / (2 * sigmaPx * sigmaPx));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  const tmp = new Float32Array(img.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      let acc = 0;
      for (let i = -rad; i <= rad; i++) acc += k[i + rad] * img[r * columns + min(columns - 1, max(0, c + i))];
      tmp[r * columns + c] = acc;
    }
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      let acc = 0;
      for (let i = -rad; i <= rad; i++) acc += k[i + rad] * tmp[min(rows - 1, max(0, r + i)) * columns + c];
      img[r * columns + c] = acc;
    }
  }
}

/** Standard normal deviates from rng.next() (Box-Muller, both values used); rng.normal is slow under jest's vm. */
export function normalSource(rng: Rng): () => number {
  let spare = 0;
  let hasSpare = false;
  return () => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let u = rng.next();
    while (u === 0) u = rng.next();
    const r = sqrt(-2 * log(u));
    const a = TWO_PI * rng.next();
    spare = r * sine(a);
    hasSpare = true;
    return r * cosine(a);
  };
}
