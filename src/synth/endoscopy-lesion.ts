/**
 * Painters for what sits on the gastric mucosa of a synthetic endoscopy still: cancers (labelled,
 * drawn exactly over their polygon) and benign look-alikes (polyp, erosion; never labelled).
 * They edit the albedo/shade/specular layers of a Canvas before the final lighting pass.
 */
import type { Rng } from './rng';
import type { Polygon, Stage } from './types';
import { addBlob, clamp01, radialAt, radialExtent, rasterPolygon, smoothstep } from './endoscopy-paint';

// Math functions bound once: global lookups in hot loops are slow inside vm sandboxes such as jest's.
const { PI, ceil, cos, exp, floor, max, min, sin, sqrt } = Math;

/** Layers of the frame before lighting: linear albedo per channel, relief shading, specular, shared noise. */
export interface Canvas {
  w: number;
  h: number;
  r: Float32Array;
  g: Float32Array;
  b: Float32Array;
  /** Multiplicative relief shading (folds, lesion relief), ~1 on flat mucosa. */
  shade: Float32Array;
  /** Additive white specular reflection; >= 1 saturates. */
  spec: Float32Array;
  /** Fine (2–6 px) and mid (10–24 px) noise in about [-1, 1]. */
  fine: Float32Array;
  mid: Float32Array;
  /** Image-plane direction the endoscope light comes from (radians), for directional relief shading. */
  light: number;
}

type Rgb = readonly [number, number, number];
const PALE: Rgb = [0.97, 0.75, 0.65];
const RED: Rgb = [0.8, 0.2, 0.17];
const FIBRIN: Rgb = [0.98, 0.94, 0.82];
/** Dirty, blood-stained crater base: keeps a red lesion darker overall instead of cancelling out. */
const DIRTY: Rgb = [0.6, 0.36, 0.28];
const HEMATIN: Rgb = [0.42, 0.13, 0.09];
const RIM_RED: Rgb = [0.72, 0.2, 0.15];
/** Erosions are brighter red (fresh hyperaemia), not the dark red of a cancer. */
const EROSION_RED: Rgb = [0.92, 0.36, 0.3];

/** Crater size (fraction of lesion radius) by stage: none for I, Borrmann-like deep ulcers for III/IV. */
const CRATER: Record<Stage, [number, number]> = { I: [0, 0], II: [0.22, 0.36], III: [0.36, 0.52], IV: [0.48, 0.64] };

function mixInto(c: Canvas, i: number, col: Rgb, a: number): void {
  c.r[i] += (col[0] - c.r[i]) * a;
  c.g[i] += (col[1] - c.g[i]) * a;
  c.b[i] += (col[2] - c.b[i]) * a;
}

/**
 * Paints one cancer over exactly the pixels `poly` covers (even-odd), centred near (cx, cy):
 * different tone, irregular nodular texture, folds flattened, raised rim and, from stage II, a crater.
 */
export function paintCancer(c: Canvas, rng: Rng, poly: Polygon, cx: number, cy: number, stage: Stage): void {
  const m = rasterPolygon(poly, c.w, c.h);
  const ext = radialExtent(poly, cx, cy, 360);
  const tone: Rgb = rng.chance(0.5) ? PALE : RED;
  const strength = rng.uniform(0.78, 0.95);
  const [ulo, uhi] = CRATER[stage];
  const uf = stage === 'I' ? 0 : rng.uniform(ulo, uhi);
  // Crater outline: its own jittered radial profile, a little off-centre, so it is not a scaled copy.
  const crater = new Float32Array(360);
  for (let k = 2; k <= 7; k++) {
    const amp = rng.uniform(0, 0.16) / k;
    const ph = rng.uniform(0, 2 * PI);
    for (let b = 0; b < 360; b++) crater[b] += amp * cos((k * 2 * PI * b) / 360 + ph);
  }
  const ucx = cx + rng.normal(0, 0.06) * ext[0];
  const ucy = cy + rng.normal(0, 0.06) * ext[90];
  // Stage I: flat-raised (0-IIa) or slightly depressed (0-IIc); later stages get a high rim.
  const raise = stage === 'I' ? rng.uniform(-0.4, 0.6) : rng.uniform(0.7, 1.2);
  const lx = cos(c.light);
  const ly = sin(c.light);
  for (let by = 0; by < m.bh; by++) {
    for (let bx = 0; bx < m.bw; bx++) {
      const a = m.alpha[by * m.bw + bx];
      if (a === 0) continue;
      const x = m.x0 + bx;
      const y = m.y0 + by;
      const i = y * c.w + x;
      const dx = x - cx;
      const dy = y - cy;
      const d = sqrt(dx * dx + dy * dy) + 1e-6;
      const rho = min(1.2, d / radialAt(ext, dy, dx));
      // Irregular surface: strong fine + mid noise instead of the smooth mucosal pattern.
      const tex = 1 + 0.14 * c.fine[i] + 0.12 * c.mid[i];
      mixInto(c, i, [tone[0] * tex, tone[1] * tex, tone[2] * tex], a * strength * (0.85 + 0.15 * c.mid[i]));
      // Patchy mixed colour: reddish islets in pale lesions, dark hemorrhagic islets in red ones.
      mixInto(c, i, tone === PALE ? RED : HEMATIN, a * 0.4 * smoothstep(0.3, 0.7, -c.mid[i] - 0.3 * c.fine[i]));
      // Relief: rim bump between crater edge and margin, lit from the light side.
      const t = clamp01((rho - uf) / (1 - uf));
      const bump = sin(PI * sqrt(t));
      const slope = -cos(PI * sqrt(t)) * raise;
      const facing = (dx * lx + dy * ly) / d;
      let relief = 1 + 0.05 * raise * bump + 0.16 * slope * facing + 0.06 * c.mid[i];
      if (uf > 0) {
        const udx = x - ucx;
        const udy = y - ucy;
        const ud = sqrt(udx * udx + udy * udy) + 1e-6;
        const ur = uf * radialAt(ext, udy, udx) * (1 + radialAt(crater, udy, udx));
        const u = ud / ur;
        const inCrater = smoothstep(1.08, 0.9, u) * a;
        // Fibrin base, dirty with hematin where the mid noise is high; dark red ring at the crater edge.
        const dirty = smoothstep(0.45, 0.75, c.mid[i] + 0.25 * c.fine[i]);
        const f = 1 + 0.08 * c.fine[i];
        const fib = tone === PALE ? FIBRIN : DIRTY;
        const base: Rgb = [fib[0] * f, fib[1] * f, fib[2] * f];
        mixInto(c, i, base, inCrater * 0.92);
        mixInto(c, i, HEMATIN, inCrater * dirty * 0.8);
        mixInto(c, i, RIM_RED, a * exp(-((u - 1) * (u - 1)) / 0.01) * 0.6);
        relief -= inCrater * (0.12 + 0.14 * ((udx * lx + udy * ly) / ud));
      }
      c.shade[i] += (relief - c.shade[i]) * a * 0.9;
      // Wet nodules glint on the rim.
      if (c.fine[i] > 0.75 && bump > 0.6) c.spec[i] += a * 0.8 * smoothstep(0.75, 0.95, c.fine[i]) * bump;
    }
  }
}

/** A sessile hyperplastic polyp: smooth dome in mucosal colour, darker flanks, soft shadow and a highlight. */
export function paintPolyp(c: Canvas, rng: Rng, cx: number, cy: number, rp: number): void {
  const lx = cos(c.light);
  const ly = sin(c.light);
  const ext = rp * 1.4;
  for (let y = max(0, floor(cy - ext)); y <= min(c.h - 1, ceil(cy + ext)); y++) {
    for (let x = max(0, floor(cx - ext)); x <= min(c.w - 1, ceil(cx + ext)); x++) {
      const i = y * c.w + x;
      const dx = (x - cx) / rp;
      const dy = (y - cy) / rp;
      const t = sqrt(dx * dx + dy * dy);
      if (t < 1) {
        const hgt = sqrt(1 - t * t);
        const a = clamp01((1 - t) * rp);
        const lit = 0.6 + 0.5 * hgt + 0.2 * (dx * lx + dy * ly);
        c.shade[i] += (lit - c.shade[i]) * a;
        c.g[i] *= 1 - 0.05 * a;
      } else {
        c.shade[i] *= 1 - 0.28 * smoothstep(1.4, 1, t);
      }
    }
  }
  const off = rp * rng.uniform(0.15, 0.35);
  addBlob(c.spec, c.w, c.h, cx + off * lx, cy + off * ly, rp * 0.16, rp * 0.1, c.light + PI / 2, 2.2);
}

/** Erosions: a cluster of small flat red spots, or whitish spots with a red halo. */
export function paintErosions(c: Canvas, rng: Rng, cx: number, cy: number, spread: number, scale: number): void {
  const white = rng.chance(0.5);
  const count = rng.int(3, 8);
  for (let k = 0; k < count; k++) {
    const sx = cx + rng.normal(0, spread);
    const sy = cy + rng.normal(0, spread);
    const rs = rng.uniform(4, 10) * scale;
    const ext = rs * 2;
    for (let y = max(0, floor(sy - ext)); y <= min(c.h - 1, ceil(sy + ext)); y++) {
      for (let x = max(0, floor(sx - ext)); x <= min(c.w - 1, ceil(sx + ext)); x++) {
        const i = y * c.w + x;
        const t = sqrt((x - sx) ** 2 + (y - sy) ** 2) / rs + 0.25 * c.fine[i];
        if (white) {
          mixInto(c, i, EROSION_RED, smoothstep(1.9, 1.1, t) * 0.55);
          mixInto(c, i, FIBRIN, smoothstep(0.9, 0.6, t) * 0.85);
        } else {
          mixInto(c, i, EROSION_RED, smoothstep(1.3, 0.7, t) * 0.8);
        }
      }
    }
  }
}
