/**
 * Synthetic contrast-enhanced axial abdominal CT (portal-venous-like phase) with gastric cancer.
 * Attenuation values are textbook Hounsfield units: air -1000, fat about -100, soft tissue 30-60,
 * enhanced blood 100-160, cortical bone 700+. Gastric cancer appears as focal wall thickening:
 * the normal distended stomach wall is 3-5 mm, and > 10 mm is suspicious (staging CT practice).
 */
import type { Rng } from './rng';
import type { CtSeries, Polygon, SliceImage, Stage } from './types';
import { type Ellipse, type SliceGrid, ellipsePolygon, fillEllipse, forEachInEllipse, normalSource, polygonMask, sliceGrid, tidyPolygon, toPixel } from './phantom-shapes';

// Local aliases: jest runs modules in a vm context where each global lookup (Math.*) in a hot loop is ~10x slower.
const { abs, floor, hypot, max, min, round, sqrt } = Math;

export interface CtOptions {
  stage: Stage | null;
  sliceCount?: number;
  rows?: number;
  columns?: number;
}

/** Per-patient anatomy; lengths in mm, t in [0, 1] runs from the top (cranial) slice to the bottom one. */
interface Anatomy {
  a: number; // body half-width
  b: number; // body half-depth (antero-posterior)
  subcutFat: number;
  muscleWall: number;
  yv: number; // vertebral body centre
  contrast: number; // 0..1 strength of enhancement
  liverHu: number;
  stomachSize: number;
  wall: number; // normal gastric wall thickness
  gasLevel: number; // air-fluid level relative to the stomach centre (fraction of ry); gas rises anteriorly (supine)
  loops: Array<{ x: number; y: number; dx: number; dy: number; r: number; from: number; content: number }>;
}

interface GastricLesion {
  first: number;
  run: number;
  theta: number;
  halfArc: number;
  peakMm: number;
  hu: number;
}

interface LiverMet {
  x: number;
  y: number;
  z: number;
  radius: number;
  hu: number;
}

/** Peak wall thickness (mm), slices involved (5 mm each) and angular half-extent (rad) per stage. */
const LESION_BY_STAGE: Record<Stage, { thick: [number, number]; run: [number, number]; arc: [number, number] }> = {
  I: { thick: [8, 12], run: [2, 3], arc: [0.3, 0.45] },
  II: { thick: [15, 20], run: [3, 5], arc: [0.5, 0.7] },
  III: { thick: [18, 25], run: [4, 6], arc: [0.6, 0.9] },
  IV: { thick: [24, 32], run: [5, 8], arc: [0.8, 1.1] },
};

const SLICE_THICKNESS = 5;
const lerp = (p: number, q: number, t: number): number => p + (q - p) * t;

function planAnatomy(rng: Rng): Anatomy {
  const a = rng.uniform(140, 168);
  const b = rng.uniform(100, 122);
  const loops: Anatomy['loops'] = [];
  for (let i = rng.int(4, 7); i > 0; i--) {
    loops.push({
      x: rng.uniform(-0.4, 0.6) * a,
      y: rng.uniform(-0.6, 0.05) * b,
      dx: rng.uniform(-25, 25),
      dy: rng.uniform(-15, 15),
      r: rng.uniform(7, 14),
      from: rng.uniform(0.1, 0.6),
      content: rng.pick([-950, 10, -950]),
    });
  }
  return {
    a,
    b,
    subcutFat: rng.uniform(12, 28),
    muscleWall: rng.uniform(8, 12),
    yv: b - rng.uniform(75, 82),
    contrast: rng.uniform(0.6, 1),
    liverHu: rng.uniform(55, 66),
    stomachSize: rng.uniform(37, 46),
    wall: rng.uniform(3, 5),
    gasLevel: rng.uniform(-0.4, 0.3),
    loops,
  };
}

/** The stomach descends and swings anteriorly towards the midline (fundus -> body -> antrum). */
function stomachAt(p: Anatomy, t: number): Ellipse {
  const size = p.stomachSize * (0.78 + 0.3 * Math.sin(Math.PI * (0.3 + 0.7 * t)));
  return { cx: lerp(0.42, 0.12, t) * p.a, cy: lerp(-0.16, -0.4, t) * p.b, rx: size, ry: size * 0.7, angle: lerp(-0.6, -0.15, t) };
}

/** Right lobe of the liver (patient right = image left), shrinking caudally. */
function liverAt(p: Anatomy, t: number): Ellipse {
  const s = 1 - 0.45 * t;
  return { cx: -0.42 * p.a, cy: -0.02 * p.b, rx: 0.5 * p.a * s, ry: 0.72 * p.b * s, angle: 0.25 };
}

function planLesion(rng: Rng, stage: Stage, n: number): GastricLesion {
  const spec = LESION_BY_STAGE[stage];
  const run = min(n, rng.int(spec.run[0], spec.run[1]));
  return {
    first: rng.int(0, n - run),
    run,
    theta: rng.uniform(0, 2 * Math.PI),
    halfArc: rng.uniform(spec.arc[0], spec.arc[1]),
    peakMm: rng.uniform(spec.thick[0], spec.thick[1]),
    hu: rng.uniform(45, 70),
  };
}

/** Hypovascular metastases sit in the right lobe; z is mm below the top slice. */
function planMets(rng: Rng, p: Anatomy, n: number): LiverMet[] {
  const mets: LiverMet[] = [];
  const wanted = rng.int(2, 4);
  for (let tries = 0; mets.length < wanted; tries++) {
    const k = rng.int(0, max(0, floor(0.55 * (n - 1))));
    const liver = liverAt(p, n > 1 ? k / (n - 1) : 0.5);
    const th = rng.uniform(Math.PI, 2 * Math.PI); // anterior half: the right kidney sits behind the liver
    const rho = rng.uniform(0, 0.45);
    const met: LiverMet = {
      x: liver.cx + rho * liver.rx * Math.cos(th),
      y: liver.cy + rho * liver.ry * Math.sin(th),
      z: k * SLICE_THICKNESS,
      radius: rng.uniform(7, 15),
      hu: rng.uniform(22, 40),
    };
    // Separate lesions, so each outline is one metastasis (relaxed after many tries).
    if (tries < 50 && mets.some((m) => hypot(m.x - met.x, m.y - met.y, m.z - met.z) < m.radius + met.radius + 4)) continue;
    mets.push(met);
  }
  return mets;
}

/** Draws the normal anatomy of one slice into hu (pre-filled with air). */
function drawAnatomy(hu: Float32Array, g: SliceGrid, p: Anatomy, t: number): void {
  const { a, b, yv } = p;
  const c = p.contrast;
  // Carbon-fibre couch under the supine patient.
  for (let r = 0; r < g.rows; r++) {
    const y = g.y0 + r * g.spacing;
    if (y < b + 6 || y > b + 14) continue;
    for (let col = 0; col < g.columns; col++) if (abs(g.x0 + col * g.spacing) < 0.85 * g.columns * g.spacing * 0.5) hu[r * g.columns + col] = -250;
  }
  fillEllipse(hu, g, { cx: 0, cy: 0, rx: a, ry: b, angle: 0 }, -100);
  const f = p.subcutFat;
  fillEllipse(hu, g, { cx: 0, cy: 0, rx: a - f, ry: b - f, angle: 0 }, 50);
  const cavity = new Uint8Array(hu.length);
  const m = f + p.muscleWall;
  forEachInEllipse(g, { cx: 0, cy: 0, rx: a - m, ry: b - m, angle: 0 }, (i) => {
    hu[i] = -90;
    cavity[i] = 1;
  });
  const inCavity = (e: Ellipse, value: number): void =>
    forEachInEllipse(g, e, (i) => {
      if (cavity[i]) hu[i] = value;
    });
  // Bowel loops: thin wall around gas or fluid.
  for (const l of p.loops) {
    if (t < l.from) continue;
    const e: Ellipse = { cx: l.x + l.dx * t, cy: l.y + l.dy * t, rx: l.r, ry: l.r * 0.85, angle: 0 };
    inCavity(e, 35);
    inCavity({ ...e, rx: l.r - 2, ry: l.r * 0.85 - 2 }, l.content);
  }
  // Psoas muscles appear lower down.
  if (t > 0.45) for (const side of [-1, 1]) inCavity({ cx: side * 32, cy: yv - 2, rx: 9 + 14 * (t - 0.45), ry: 12 + 10 * (t - 0.45), angle: 0 }, 48);
  inCavity(liverAt(p, t), p.liverHu + 12 * c);
  // Kidneys: the right one sits lower because of the liver; enhancing cortex around a fatty sinus.
  for (const side of [-1, 1]) {
    const from = side < 0 ? 0.5 : 0.35;
    if (t < from) continue;
    const s = min(1, (t - from) / 0.25 + 0.35);
    const e: Ellipse = { cx: side * 0.47 * a, cy: yv + 8, rx: 26 * s, ry: 40 * s, angle: side * -0.45 };
    inCavity(e, 40 + 120 * c);
    inCavity({ ...e, rx: 14 * s, ry: 24 * s }, 60 + 30 * c);
    inCavity({ ...e, cx: e.cx - side * 10 * s, rx: 7 * s, ry: 14 * s }, -60);
  }
  if (t < 0.5) inCavity({ cx: -0.05 * a, cy: -0.45 * b, rx: 0.35 * a * (1 - 1.8 * t), ry: 22, angle: 0.1 }, p.liverHu + 12 * c);
  if (t < 0.6) inCavity({ cx: 0.62 * a, cy: 0.2 * b, rx: 40 * (1 - t), ry: 24 * (1 - t), angle: -0.9 }, 48 + 20 * c);
  // Great vessels in front of the spine: IVC (patient right), aorta (slightly left).
  inCavity({ cx: -24, cy: yv - 30, rx: 14, ry: 10, angle: 0 }, 40 + 60 * c);
  inCavity({ cx: 10, cy: yv - 31, rx: 12, ry: 12, angle: 0 }, 45 + 110 * c);
  // Paraspinal muscles, then the vertebra: cortical shell, cancellous body, neural arch, CSF canal.
  for (const side of [-1, 1]) fillEllipse(hu, g, { cx: side * 33, cy: yv + 38, rx: 24, ry: 20, angle: 0 }, 52);
  fillEllipse(hu, g, { cx: 0, cy: yv + 26, rx: 32, ry: 4, angle: 0 }, 600);
  fillEllipse(hu, g, { cx: 0, cy: yv + 46, rx: 4, ry: 13, angle: 0 }, 700);
  fillEllipse(hu, g, { cx: 0, cy: yv + 29, rx: 15, ry: 12, angle: 0 }, 750);
  fillEllipse(hu, g, { cx: 0, cy: yv + 28, rx: 8, ry: 7, angle: 0 }, 10);
  fillEllipse(hu, g, { cx: 0, cy: yv, rx: 22, ry: 17, angle: 0 }, 850);
  fillEllipse(hu, g, { cx: 0, cy: yv, rx: 19.5, ry: 14.5, angle: 0 }, 230);
  // Stomach: enhancing mucosa as the inner layer of the wall, gas over fluid in the lumen.
  const st = stomachAt(p, t);
  const mucosaHu = 45 + 70 * c;
  const level = st.cy + p.gasLevel * st.ry;
  forEachInEllipse(g, st, (i, rho, u, v) => {
    const depth = rho > 0 ? ((1 - rho) * hypot(u, v)) / rho : 1e9; // mm in from the outline along the ray
    if (depth < p.wall - 1.5) hu[i] = 40;
    else if (depth < p.wall) hu[i] = mucosaHu;
    else hu[i] = g.y0 + floor(i / g.columns) * g.spacing < level ? -990 : 12;
  });
}

/** Outline of the thickened wall segment: outer edge bulges 30 % outward, the rest grows into the lumen. */
function lesionOutline(g: SliceGrid, st: Ellipse, lesion: GastricLesion, wall: number, zf: number): { poly: Polygon | null; maxMm: number } {
  const n = 14;
  const outer: Array<[number, number]> = [];
  const inner: Array<[number, number]> = [];
  const cos = Math.cos(st.angle);
  const sin = Math.sin(st.angle);
  let maxMm = wall;
  for (let j = 0; j < n; j++) {
    const phi = lesion.theta + lesion.halfArc * (-0.95 + (1.9 * j) / (n - 1));
    const prof = Math.cos(((phi - lesion.theta) / lesion.halfArc) * (Math.PI / 2)) ** 2;
    const extra = (lesion.peakMm - wall) * prof * zf;
    const out = 0.3 * extra;
    const du = st.rx * Math.cos(phi);
    const dv = st.ry * Math.sin(phi);
    const R = hypot(du, dv);
    const inward = min(wall + extra - out, 0.8 * R); // a big mass may fill, not cross, the lumen
    maxMm = max(maxMm, out + inward);
    for (const [list, r] of [[outer, R + out], [inner, R - inward]] as const) {
      const u = (du / R) * r;
      const v = (dv / R) * r;
      list.push(toPixel(g, st.cx + u * cos - v * sin, st.cy + u * sin + v * cos));
    }
  }
  return { poly: tidyPolygon(g, [...outer, ...inner.reverse()]), maxMm };
}

export function renderCtSeries(rng: Rng, options: CtOptions): CtSeries {
  const n = options.sliceCount ?? 16;
  const rows = options.rows ?? 512;
  const columns = options.columns ?? 512;
  // 0.7-0.8 mm pixels at 512 (a 360-410 mm field of view); scaled when a smaller matrix is asked for.
  const spacing = round(((rng.uniform(0.7, 0.8) * 512) / min(rows, columns)) * 1000) / 1000;
  const g = sliceGrid(rows, columns, spacing);
  const zTop = round(rng.uniform(-80, 20));
  const p = planAnatomy(rng);
  const lesion = options.stage ? planLesion(rng, options.stage, n) : null;
  const mets = options.stage === 'IV' ? planMets(rng, p, n) : [];
  const noiseSd = rng.uniform(10, 15); // quantum noise of a standard-dose abdominal scan
  const gauss = normalSource(rng);
  const slices: Array<SliceImage<Int16Array>> = [];
  const positions: Array<[number, number, number]> = [];
  let maxWall = p.wall;
  for (let k = 0; k < n; k++) {
    const t = n > 1 ? k / (n - 1) : 0.5;
    const hu = new Float32Array(rows * columns).fill(-1000);
    drawAnatomy(hu, g, p, t);
    const cancerPolygons: Polygon[] = [];
    const paint = (poly: Polygon, value: (i: number) => number): void => {
      const mask = polygonMask(poly, columns, rows);
      for (let i = 0; i < mask.length; i++) if (mask[i]) hu[i] = value(i);
      cancerPolygons.push(poly);
    };
    if (lesion && k >= lesion.first && k < lesion.first + lesion.run) {
      const half = lesion.run / 2 + 0.5;
      const zf = sqrt(1 - ((k - (lesion.first + (lesion.run - 1) / 2)) / half) ** 2);
      const { poly, maxMm } = lesionOutline(g, stomachAt(p, t), lesion, p.wall, zf);
      maxWall = max(maxWall, maxMm);
      // Gently heterogeneous enhancement (necrosis-free tumour, 45-70 HU).
      if (poly) paint(poly, (i) => lesion.hu + 10 * Math.sin((i % columns) * 0.11) * Math.cos(floor(i / columns) * 0.13));
    }
    for (const met of mets) {
      const dz = k * SLICE_THICKNESS - met.z;
      const r = sqrt(max(0, met.radius ** 2 - dz ** 2));
      if (r < 4) continue; // tangential sections under ~4 mm are not called lesions
      const poly = ellipsePolygon(g, { cx: met.x, cy: met.y, rx: r, ry: r, angle: 0 }, 24);
      if (poly) paint(poly, () => met.hu);
    }
    const pixels = new Int16Array(rows * columns);
    for (let i = 0; i < pixels.length; i++) {
      const stored = round(hu[i] + noiseSd * gauss()) + 1024;
      pixels[i] = max(-32768, min(32767, stored));
    }
    slices.push({ pixels, cancerPolygons });
    positions.push([g.x0, g.y0, zTop - k * SLICE_THICKNESS]);
  }
  return {
    rows,
    columns,
    pixelSpacing: [spacing, spacing],
    sliceThickness: SLICE_THICKNESS,
    positions,
    rescaleSlope: 1,
    rescaleIntercept: -1024,
    slices,
    findings: { maxWallThicknessMm: round(maxWall * 10) / 10, lesionCount: (lesion ? 1 : 0) + mets.length },
  };
}
