/**
 * Synthetic gastric endoscopy stills (white light) for training-pipeline tests and demo models;
 * never clinical. A frame is built in layers: mucosal albedo with value-noise texture, rugal folds
 * converging on a dark lumen, lesions painted over their exact label polygon, specular glints, then
 * lighting (lumen falloff + strong vignette) and a black octagonal/circular field-of-view mask.
 * Deterministic: only the given rng is used, always in the same order.
 */
import type { Rng } from './rng';
import type { EndoscopyImage, Polygon, Stage } from './types';
import { addBlob, fbm, smoothstep, starPolygon } from './endoscopy-paint';
import { type Canvas, paintCancer, paintErosions, paintPolyp } from './endoscopy-lesion';

// Math functions bound once: global lookups in hot loops are slow inside vm sandboxes such as jest's.
const { PI, abs, atan2, cos, floor, hypot, log, max, min, pow, round, sin, sqrt } = Math;

export interface EndoscopyOptions {
  width?: number;
  height?: number;
  /** The cancer to show (lesionIndex varies the lesion between images of one patient), or null for a normal image. */
  cancer: { stage: Stage; lesionIndex: number } | null;
  /** Benign look-alike on a normal image (ignored when cancer is set). */
  benign: 'polyp' | 'erosion' | null;
}

/** Lesion radius range (px at 480 px frame height) by stage. */
const RADIUS: Record<Stage, [number, number]> = { I: [40, 70], II: [60, 95], III: [85, 125], IV: [110, 170] };

/** Field of view: centre, half-axes and shape; q(x, y) is 1 on the border, < 1 inside. */
interface Fov {
  cx: number;
  cy: number;
  a: number;
  b: number;
  /** Octagon corner cut (in units of a/b), or 0 for a circle clipped top and bottom. */
  cut: number;
}

function fovQ(f: Fov, x: number, y: number): number {
  const u = abs(x - f.cx) / f.a;
  const v = abs(y - f.cy) / f.b;
  if (f.cut > 0) return max(u, v, (u + v) / f.cut);
  return max(sqrt(u * u + v * v * (f.b * f.b) / (f.a * f.a)), v);
}

interface Placed {
  x: number;
  y: number;
  r: number;
  poly: Polygon;
}

/**
 * Picks a centre so a lesion of radius r (up to 1.3 r with jitter) stays inside the FOV and off other
 * lesions, shrinking it slowly if it does not fit; null when no spot is found.
 */
function placeLesion(rng: Rng, f: Fov, r: number, others: readonly Placed[], w: number, h: number, n: number): Placed | null {
  let rr = r;
  for (let attempt = 0; attempt < 60; attempt++) {
    const x = f.cx + rng.uniform(-1, 1) * max(1, f.a - rr);
    const y = f.cy + rng.uniform(-1, 1) * max(1, f.b - rr);
    const poly = starPolygon(rng, x, y, rr, n, w, h);
    const inside = poly.every(([px, py]) => fovQ(f, px, py) < 0.9);
    const apart = others.every((o) => hypot(o.x - x, o.y - y) > (o.r + rr) * 1.4);
    if (inside && apart) return { x, y, r: rr, poly };
    if (attempt % 6 === 5) rr *= 0.95;
  }
  return null;
}

/** Picks a spot for a benign finding or the lumen: the candidate farthest from the given discs. */
function farSpot(rng: Rng, f: Fov, maxQ: number, avoid: ReadonlyArray<{ x: number; y: number; r: number }>): [number, number] {
  let best: [number, number] = [f.cx, f.cy];
  let bestScore = -Infinity;
  for (let k = 0; k < 16; k++) {
    const x = f.cx + rng.uniform(-1, 1) * f.a * maxQ;
    const y = f.cy + rng.uniform(-1, 1) * f.b * maxQ;
    if (fovQ(f, x, y) > maxQ) continue;
    let score = 1e6 + rng.next();
    for (const o of avoid) score = min(score, hypot(o.x - x, o.y - y) - o.r);
    if (score > bestScore) [best, bestScore] = [[x, y], score];
  }
  return best;
}

export function renderEndoscopyImage(rng: Rng, options: EndoscopyOptions): EndoscopyImage {
  const w = options.width ?? 640;
  const h = options.height ?? 480;
  const s = min(w, h) / 480;
  const n = w * h;
  const fov: Fov = rng.chance(0.6)
    ? { cx: w / 2, cy: h / 2, a: w * rng.uniform(0.45, 0.48), b: h * rng.uniform(0.47, 0.49), cut: rng.uniform(1.35, 1.5) }
    : { cx: w / 2, cy: h / 2, a: min(w * 0.47, h * rng.uniform(0.56, 0.62)), b: h * rng.uniform(0.47, 0.49), cut: 0 };

  // Lesions first, so the lumen (dark, low contrast) can be put away from them.
  const lesions: Placed[] = [];
  const cancer = options.cancer;
  if (cancer) {
    const shape = rng.fork(`lesion:${cancer.stage}:${cancer.lesionIndex}`);
    const [lo, hi] = RADIUS[cancer.stage];
    const r = shape.uniform(lo, hi) * s;
    const nv = shape.int(24, 48);
    // Fallback keeps the label honest: a lesion at the field centre that surely fits.
    const rc = min(r, 0.55 * min(fov.a, fov.b));
    lesions.push(placeLesion(shape, fov, r, lesions, w, h, nv) ??
      { x: fov.cx, y: fov.cy, r: rc, poly: starPolygon(shape, fov.cx, fov.cy, rc, nv, w, h) });
    if (cancer.stage === 'IV' && shape.chance(0.4)) {
      const second = placeLesion(shape, fov, r * shape.uniform(0.4, 0.6), lesions, w, h, shape.int(24, 40));
      if (second) lesions.push(second);
    }
  }
  const lumenR = rng.uniform(28, 70) * s;
  const [lumX, lumY] = farSpot(rng, fov, lesions.length ? 1.05 : 0.7, lesions);

  // Noise layers (fixed order of rng use): fine/mid texture, coarse colour, fold warp, lumen warp.
  const tex = rng.fork('texture');
  const fine = fbm(w, h, [2.5 * s, 5 * s], tex);
  const mid = fbm(w, h, [11 * s, 23 * s], tex);
  const coarse = fbm(w, h, [70 * s, 150 * s], tex);
  const warp = fbm(w, h, [60 * s, 130 * s], tex);

  const base: [number, number, number] = [rng.uniform(0.9, 0.98), rng.uniform(0.46, 0.56), rng.uniform(0.34, 0.44)];
  const foldK = rng.int(6, 13);
  const foldAmp = rng.chance(0.12) ? rng.uniform(0, 0.15) : rng.uniform(0.45, 1);
  const twist = rng.uniform(-0.6, 0.6);
  const warpAmp = rng.uniform(0.8, 2);
  const light = rng.uniform(0, 2 * PI);
  const lx = cos(light);
  const ly = sin(light);

  const c: Canvas = {
    w, h, fine, mid, light,
    r: new Float32Array(n), g: new Float32Array(n), b: new Float32Array(n),
    shade: new Float32Array(n), spec: new Float32Array(n),
  };
  const illum = new Float32Array(n);
  const ridge = new Float32Array(n);
  for (let y = 0, i = 0; y < h; y++) {
    for (let x = 0; x < w; x++, i++) {
      // Mucosa: warm pink-orange, redder/paler patches (coarse) and areae-gastricae mottling (fine, mid).
      const bright = 1 + 0.055 * fine[i] + 0.05 * mid[i];
      c.r[i] = base[0] * bright;
      c.g[i] = base[1] * bright * (1 - 0.1 * coarse[i]);
      c.b[i] = base[2] * bright * (1 - 0.12 * coarse[i]);
      // Depth: distance to the lumen, warped so the dark hole is irregular.
      const dx = x - lumX;
      const dy = y - lumY;
      const d = sqrt(dx * dx + dy * dy) + 1e-3;
      const dn = (d / lumenR) * (1 + 0.3 * coarse[i]);
      const e = smoothstep(0.55, 3.4, dn);
      illum[i] = 0.03 + 0.97 * e * (2 - e);
      // Rugal folds: ridges in polar angle around the lumen, wavy (warp) and twisting with depth.
      const th = atan2(dy, dx);
      const ph = foldK * th + warpAmp * warp[i] + twist * log(d);
      const cr = 0.5 + 0.5 * cos(ph);
      const fade = foldAmp * smoothstep(0.9, 2.6, dn) * (0.65 + 0.35 * coarse[i]);
      // Directional term: the ridge slope faces the light on one side of each fold.
      const tangent = ((-dy * lx + dx * ly) / d) * min(1.5, (foldK * 90 * s) / d);
      ridge[i] = cr * fade;
      c.shade[i] = 1 + fade * (0.42 * (sqrt(cr) - 0.65) + 0.22 * sin(ph) * tangent);
    }
  }

  // Specular glints: small saturated blobs on fold crests in the well-lit part of the field.
  const glint = rng.fork('glints');
  const nGlints = glint.int(3, 8);
  for (let k = 0, tries = 0; k < nGlints && tries < 400; tries++) {
    const x = glint.uniform(0, w);
    const y = glint.uniform(0, h);
    const i = floor(y) * w + floor(x);
    if (fovQ(fov, x, y) > 0.92 || illum[i] < 0.55 || ridge[i] < 0.4 * foldAmp) continue;
    // Wet crests reflect as a streak along the fold plus a few droplets strung along it.
    const along = atan2(y - lumY, x - lumX);
    addBlob(c.spec, w, h, x, y, glint.uniform(2, 9) * s, glint.uniform(1.2, 3.2) * s, along, glint.uniform(1.5, 3));
    for (let j = glint.int(1, 6); j > 0; j--) {
      const t = glint.normal(0, 14 * s);
      const u = glint.normal(0, 3 * s);
      const px = x + t * cos(along) - u * sin(along);
      const py = y + t * sin(along) + u * cos(along);
      const rd = glint.uniform(0.7, 1.8) * s;
      addBlob(c.spec, w, h, px, py, rd, rd, 0, glint.uniform(1, 2.5));
    }
    k++;
  }

  const cancerPolygons: Polygon[] = [];
  if (cancer) {
    const paint = rng.fork('cancer');
    for (const l of lesions) {
      paintCancer(c, paint, l.poly, l.x, l.y, cancer.stage);
      cancerPolygons.push(l.poly);
    }
  } else if (options.benign) {
    const bg = rng.fork('benign');
    const [bx, by] = farSpot(bg, fov, 0.7, [{ x: lumX, y: lumY, r: lumenR * 2.5 }]);
    if (options.benign === 'polyp') paintPolyp(c, bg, bx, by, bg.uniform(16, 34) * s);
    else paintErosions(c, bg, bx, by, bg.uniform(10, 35) * s, s);
  }

  // Lighting: per-channel exponents (lookup tables) make shadows go deep red as in white-light endoscopy.
  const LUT = 2048;
  const lutMax = 2;
  const gamma = [0.82, 1.02, 1.08].map((g) => Float32Array.from({ length: LUT + 1 }, (_, k) => min(1, pow((k / LUT) * lutMax, g))));
  const [gr, gg, gb] = gamma;
  const toLut = LUT / lutMax;
  const rgb = new Uint8Array(n * 3);
  const invDiag2 = 1 / (fov.a * fov.a + fov.b * fov.b);
  const edge = min(fov.a, fov.b) * 0.6;
  for (let y = 0, i = 0; y < h; y++) {
    for (let x = 0; x < w; x++, i++) {
      const q = fovQ(fov, x, y);
      const mask = min(1, (1 - q) * edge + 0.5);
      if (mask <= 0) continue;
      // Strong vignette: radial falloff plus extra darkening towards the FOV border.
      const rr = ((x - fov.cx) ** 2 + (y - fov.cy) ** 2) * invDiag2;
      const v = min(1, rr + 0.45 * q * q);
      const vig = 1 - 0.72 * v * v * sqrt(v);
      const L = max(0, c.shade[i] * illum[i] * vig) * toLut;
      const sp = min(1, c.spec[i] * illum[i]);
      const k = 255 * mask;
      const o = i * 3;
      rgb[o] = round(k * (gr[min(LUT, (c.r[i] * L) | 0)] * (1 - sp) + sp));
      rgb[o + 1] = round(k * (gg[min(LUT, (c.g[i] * L) | 0)] * (1 - sp) + sp));
      rgb[o + 2] = round(k * (gb[min(LUT, (c.b[i] * L) | 0)] * (1 - sp) + sp));
    }
  }
  return { width: w, height: h, rgb, cancerPolygons, benignFinding: cancer ? null : options.benign };
}
