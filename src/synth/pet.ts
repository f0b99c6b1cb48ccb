/**
 * Synthetic 18F-FDG PET of the upper abdomen with gastric cancer, stored as Bq/ml like a scanner does.
 * The map is drawn in SUVbw (EANM guideline normal values: liver 2-2.5, blood pool 1.5-2, marrow ~1.5,
 * physiologic gastric wall 1.5-2.5, urine in the collecting system very high) and converted with
 * SUV = C[Bq/ml] * weight[g] / (dose[Bq] * 2^(-uptake/T1/2)), i.e. activity decay corrected to the series start.
 */
import type { Rng } from './rng';
import type { PetSeries, Polygon, SliceImage, Stage } from './types';
import { type Ellipse, type SliceGrid, ellipsePolygon, fillEllipse, forEachInEllipse, gaussianBlur, normalSource, polygonMask, sliceGrid } from './phantom-shapes';

// Local aliases: jest runs modules in a vm context where each global lookup (Math.*) in a hot loop is ~10x slower.
const { exp, hypot, max, min, round, sqrt } = Math;

export interface PetOptions {
  stage: Stage | null;
  sex: 'M' | 'F';
  sliceCount?: number;
  rows?: number;
  columns?: number;
}

export const F18_HALF_LIFE_S = 6586.2;

/** A lesion as a 3-D Gaussian of SUV; sigmas in mm, z in mm below the top slice, angle of the sx axis. */
interface HotSpot {
  x: number;
  y: number;
  z: number;
  sx: number;
  sy: number;
  sz: number;
  angle: number;
  amplitude: number;
  primary: boolean;
}

/** Target SUVmax of the primary after the scanner blur (partial volume) and its size (Gaussian sigma, mm). */
const PRIMARY_BY_STAGE: Record<Stage, { suv: [number, number]; sigma: [number, number] }> = {
  I: { suv: [3.5, 5.5], sigma: [3, 4.5] },
  II: { suv: [6, 9], sigma: [4.5, 6.5] },
  III: { suv: [7.5, 11.5], sigma: [5.5, 7.5] },
  IV: { suv: [11, 16], sigma: [7, 10] },
};

interface Body {
  a: number;
  b: number;
  yv: number;
  liver: number;
  stomachWall: number;
  stomachSize: number;
  urine: number;
}

const lerp = (p: number, q: number, t: number): number => p + (q - p) * t;

function stomachAt(p: Body, t: number): Ellipse {
  return { cx: lerp(0.42, 0.12, t) * p.a, cy: lerp(-0.16, -0.4, t) * p.b, rx: p.stomachSize, ry: p.stomachSize * 0.7, angle: lerp(-0.6, -0.15, t) };
}

function liverAt(p: Body, t: number): Ellipse {
  const s = 1 - 0.4 * t;
  return { cx: -0.42 * p.a, cy: -0.02 * p.b, rx: 0.5 * p.a * s, ry: 0.72 * p.b * s, angle: 0.25 };
}

/** Draws normal FDG biodistribution; returns the stomach-wall mask (for the control's SUVmax). */
function drawBody(suv: Float32Array, g: SliceGrid, p: Body, t: number): Uint8Array {
  const { a, b, yv } = p;
  fillEllipse(suv, g, { cx: 0, cy: 0, rx: a, ry: b, angle: 0 }, 0.35); // subcutaneous fat
  fillEllipse(suv, g, { cx: 0, cy: 0, rx: a - 18, ry: b - 18, angle: 0 }, 0.8); // resting muscle
  const cavity = new Uint8Array(suv.length);
  forEachInEllipse(g, { cx: 0, cy: 0, rx: a - 28, ry: b - 28, angle: 0 }, (i) => {
    suv[i] = 0.6;
    cavity[i] = 1;
  });
  const inCavity = (e: Ellipse, value: number): void =>
    forEachInEllipse(g, e, (i) => {
      if (cavity[i]) suv[i] = value;
    });
  inCavity(liverAt(p, t), p.liver);
  for (const side of [-1, 1]) {
    if (t < (side < 0 ? 0.5 : 0.35)) continue;
    const e: Ellipse = { cx: side * 0.47 * a, cy: yv + 8, rx: 24, ry: 38, angle: side * -0.45 };
    inCavity(e, 3.2); // renal parenchyma
    inCavity({ ...e, cx: e.cx - side * 8, rx: 8, ry: 14 }, p.urine); // excreted FDG in the pelvicalyceal system
  }
  if (t < 0.6) inCavity({ cx: 0.62 * a, cy: 0.2 * b, rx: 40 * (1 - t), ry: 24 * (1 - t), angle: -0.9 }, 1.8);
  inCavity({ cx: -24, cy: yv - 30, rx: 14, ry: 10, angle: 0 }, 1.7); // IVC blood pool
  inCavity({ cx: 10, cy: yv - 31, rx: 12, ry: 12, angle: 0 }, 1.8); // aorta blood pool
  for (const side of [-1, 1]) fillEllipse(suv, g, { cx: side * 33, cy: yv + 38, rx: 24, ry: 20, angle: 0 }, 0.9);
  fillEllipse(suv, g, { cx: 0, cy: yv, rx: 21, ry: 16, angle: 0 }, 1.5); // red marrow of the vertebral body
  fillEllipse(suv, g, { cx: 0, cy: yv + 28, rx: 8, ry: 7, angle: 0 }, 0.3);
  const wall = new Uint8Array(suv.length);
  forEachInEllipse(g, stomachAt(p, t), (i, rho) => {
    const ring = rho > 0.8; // wall plus the scanner's partial-volume spread of it
    suv[i] = ring ? p.stomachWall : 0.3;
    if (ring) wall[i] = 1;
  });
  return wall;
}

function planHotSpots(rng: Rng, stage: Stage, p: Body, n: number, thick: number, psfMm: number): HotSpot[] {
  const spec = PRIMARY_BY_STAGE[stage];
  // Partial volume: a Gaussian of sigma s blurred by the PSF keeps s^2 / (s^2 + psf^2) of its peak in-plane.
  const keep = (s: number): number => (s * s) / (s * s + psfMm * psfMm);
  const spots: HotSpot[] = [];
  const kp = rng.int(min(1, n - 1), max(0, n - 2));
  const st = stomachAt(p, n > 1 ? kp / (n - 1) : 0.5);
  const th = rng.uniform(0, 2 * Math.PI);
  const u = st.rx * 0.9 * Math.cos(th);
  const v = st.ry * 0.9 * Math.sin(th);
  const cos = Math.cos(st.angle);
  const sin = Math.sin(st.angle);
  const s = rng.uniform(spec.sigma[0], spec.sigma[1]);
  const target = rng.uniform(spec.suv[0], spec.suv[1]);
  spots.push({
    x: st.cx + u * cos - v * sin,
    y: st.cy + u * sin + v * cos,
    z: kp * thick,
    sx: s * 1.4, // spreads along the wall
    sy: s,
    sz: s,
    angle: st.angle + Math.atan2(st.ry * Math.cos(th), -st.rx * Math.sin(th)),
    amplitude: (target - p.stomachWall * 0.7) / keep(s),
    primary: true,
  });
  if (stage !== 'IV') return spots;
  const wanted = 1 + rng.int(2, 4);
  for (let tries = 0; spots.length < wanted; tries++) {
    const k = rng.int(0, n - 1);
    const t = n > 1 ? k / (n - 1) : 0.5;
    const sd = rng.uniform(3.5, 6);
    const hot = target * rng.uniform(0.45, 0.72); // distant disease rarely outshines the primary here
    let x: number;
    let y: number;
    let bg: number;
    if (rng.chance(0.6)) {
      const liver = liverAt(p, t);
      const a = rng.uniform(Math.PI, 2 * Math.PI); // anterior half: the right kidney sits behind the liver
      const r = rng.uniform(0, 0.5);
      [x, y, bg] = [liver.cx + r * liver.rx * Math.cos(a), liver.cy + r * liver.ry * Math.sin(a), p.liver];
    } else {
      [x, y, bg] = [10 + rng.pick([-1, 1]) * rng.uniform(20, 28), p.yv - 31 + rng.uniform(-8, 8), 0.6]; // para-aortic node
    }
    // Keep lesions apart (30 mm) so outlines and maxima stay separate; give up on that after many tries.
    if (tries < 50 && spots.some((h) => hypot(h.x - x, h.y - y, h.z - k * thick) < 30)) continue;
    const amp = (max(hot, bg + 2.5) - bg) / keep(sd);
    spots.push({ x, y, z: k * thick, sx: sd, sy: sd, sz: sd, angle: 0, amplitude: amp, primary: false });
  }
  return spots;
}

export function renderPetSeries(rng: Rng, options: PetOptions): PetSeries {
  const n = options.sliceCount ?? 16;
  const rows = options.rows ?? 128;
  const columns = options.columns ?? 128;
  const spacing = round(((rng.uniform(3.9, 4.2) * 128) / min(rows, columns)) * 1e4) / 1e4;
  const g = sliceGrid(rows, columns, spacing);
  const thick = rng.pick([3, 3.27, 3.5, 4]);
  const zTop = round(rng.uniform(-60, 20) * 100) / 100;
  const weightKg = round(options.sex === 'M' ? rng.uniform(55, 90) : rng.uniform(45, 75));
  const injectedDoseBq = round(weightKg * 3.7e6 * rng.uniform(0.9, 1.1) / 1e5) * 1e5; // EANM ~3.7 MBq/kg
  const uptakeS = round(rng.uniform(3300, 4200));
  const bqPerSuv = (injectedDoseBq * 2 ** (-uptakeS / F18_HALF_LIFE_S)) / (weightKg * 1000);
  const fwhm = rng.uniform(5, 7);
  const psfMm = fwhm / 2.3548;
  const counts = rng.uniform(12, 20); // counts per voxel per SUV unit before smoothing: sets the noise level
  const body: Body = {
    a: rng.uniform(140, 168),
    b: rng.uniform(100, 122),
    yv: 0,
    liver: rng.uniform(2, 2.5),
    stomachWall: rng.uniform(1.5, 2),
    stomachSize: rng.uniform(40, 48),
    urine: rng.uniform(8, 20),
  };
  body.yv = body.b - rng.uniform(75, 82);
  const gauss = normalSource(rng);
  const spots = options.stage ? planHotSpots(rng, options.stage, body, n, thick, psfMm) : [];
  const slices: Array<SliceImage<Uint16Array>> = [];
  const positions: Array<[number, number, number]> = [];
  const rescaleSlopes: number[] = [];
  let suvMax = 0;
  for (let k = 0; k < n; k++) {
    const suv = new Float32Array(rows * columns);
    const wall = drawBody(suv, g, body, n > 1 ? k / (n - 1) : 0.5);
    const cancerPolygons: Polygon[] = [];
    for (const h of spots) {
      const dz = k * thick - h.z;
      const peak = h.amplitude * exp(-(dz * dz) / (2 * h.sz * h.sz));
      const e: Ellipse = { cx: h.x, cy: h.y, rx: h.sx, ry: h.sy, angle: h.angle };
      forEachInEllipse(g, e, (i, rho) => {
        suv[i] += peak * exp(-(rho * rho) / 2);
      }, 4);
      // Outline: where the blurred lesion exceeds 40 % of its own 3-D maximum.
      const q2 = 2 * (Math.log(2.5) - (dz * dz) / (2 * h.sz * h.sz));
      if (q2 <= 0) continue;
      const q = sqrt(q2);
      const poly = ellipsePolygon(g, { ...e, rx: q * hypot(h.sx, psfMm), ry: q * hypot(h.sy, psfMm) }, 24);
      if (poly) cancerPolygons.push(poly);
    }
    // Poisson-like counting noise (variance proportional to activity), then the scanner's PSF.
    for (let i = 0; i < suv.length; i++) {
      if (suv[i] > 0) suv[i] = max(0, suv[i] + sqrt(suv[i] / counts) * gauss());
    }
    gaussianBlur(suv, columns, rows, psfMm / spacing);
    let maxAct = 0;
    for (let i = 0; i < suv.length; i++) maxAct = max(maxAct, suv[i] * bqPerSuv);
    const slope = maxAct > 0 ? maxAct / 32000 : 1;
    const pixels = new Uint16Array(rows * columns);
    for (let i = 0; i < pixels.length; i++) pixels[i] = min(65535, round((suv[i] * bqPerSuv) / slope));
    // SUVmax as a reader recovers it from the stored values: lesion outlines, or the gastric wall in a control.
    const masks = cancerPolygons.length ? cancerPolygons.map((poly) => polygonMask(poly, columns, rows)) : spots.length ? [] : [wall];
    for (const m of masks) for (let i = 0; i < m.length; i++) if (m[i]) suvMax = max(suvMax, (pixels[i] * slope) / bqPerSuv);
    slices.push({ pixels, cancerPolygons });
    rescaleSlopes.push(slope);
    positions.push([g.x0, g.y0, round((zTop - k * thick) * 100) / 100]);
  }
  return {
    rows,
    columns,
    pixelSpacing: [spacing, spacing],
    sliceThickness: thick,
    positions,
    rescaleSlopes,
    slices,
    patientWeightKg: weightKg,
    injectedDoseBq,
    halfLifeS: F18_HALF_LIFE_S,
    uptakeS,
    findings: { suvMax: round(suvMax * 100) / 100, distantHotSpots: spots.filter((h) => !h.primary).length },
  };
}
