import { renderEndoscopyImage } from '../../src/synth/endoscopy';
import { createRng } from '../../src/synth/rng';
import { STAGES, type EndoscopyImage, type Polygon, type Stage } from '../../src/synth/types';
import { insidePolygon } from '../helpers/polygon';

function area(poly: Polygon): number {
  let s = 0;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) s += poly[j][0] * poly[i][1] - poly[i][0] * poly[j][1];
  return Math.abs(s) / 2;
}

function scaled(poly: Polygon, f: number): Polygon {
  const cx = poly.reduce((s, p) => s + p[0], 0) / poly.length;
  const cy = poly.reduce((s, p) => s + p[1], 0) / poly.length;
  return poly.map(([x, y]) => [cx + (x - cx) * f, cy + (y - cy) * f]);
}

/** Mean RGB inside the lesion vs a ring 10–30 % outside it (excluding other lesions and the black border). */
function insideVsRing(img: EndoscopyImage, k: number): number {
  const poly = img.cancerPolygons[k];
  const inner = scaled(poly, 1.1);
  const outer = scaled(poly, 1.3);
  const sumIn = [0, 0, 0];
  const sumRing = [0, 0, 0];
  let nIn = 0;
  let nRing = 0;
  const xs = outer.map((p) => p[0]);
  const ys = outer.map((p) => p[1]);
  for (let y = Math.max(0, Math.floor(Math.min(...ys))); y <= Math.min(img.height - 1, Math.max(...ys)); y++) {
    for (let x = Math.max(0, Math.floor(Math.min(...xs))); x <= Math.min(img.width - 1, Math.max(...xs)); x++) {
      const o = (y * img.width + x) * 3;
      if (insidePolygon(poly, x, y)) {
        for (let ch = 0; ch < 3; ch++) sumIn[ch] += img.rgb[o + ch];
        nIn++;
      } else if (insidePolygon(outer, x, y) && !insidePolygon(inner, x, y) && !img.cancerPolygons.some((p) => insidePolygon(p, x, y))) {
        if (img.rgb[o] + img.rgb[o + 1] + img.rgb[o + 2] < 15) continue;
        for (let ch = 0; ch < 3; ch++) sumRing[ch] += img.rgb[o + ch];
        nRing++;
      }
    }
  }
  expect(nIn).toBeGreaterThan(100);
  expect(nRing).toBeGreaterThan(100);
  return Math.hypot(...sumIn.map((v, ch) => v / nIn - sumRing[ch] / nRing));
}

const cancer = (stage: Stage, seed: number): EndoscopyImage =>
  renderEndoscopyImage(createRng(seed), { cancer: { stage, lesionIndex: 0 }, benign: null });

describe('renderEndoscopyImage', () => {
  it('gives the same bytes for the same seed and different bytes for another', () => {
    const opts = { cancer: { stage: 'III' as Stage, lesionIndex: 1 }, benign: null };
    const a = renderEndoscopyImage(createRng(42), opts);
    const b = renderEndoscopyImage(createRng(42), opts);
    const c = renderEndoscopyImage(createRng(43), opts);
    expect(a.width).toBe(640);
    expect(a.height).toBe(480);
    expect(a.rgb.length).toBe(640 * 480 * 3);
    expect(Buffer.from(a.rgb).equals(Buffer.from(b.rgb))).toBe(true);
    expect(a.cancerPolygons).toEqual(b.cancerPolygons);
    expect(Buffer.from(a.rgb).equals(Buffer.from(c.rgb))).toBe(false);
  });

  it.each(STAGES.map((s) => [s]))('stage %s lesions differ clearly in colour from the mucosa around them', (stage) => {
    for (const seed of [1, 2, 3]) {
      const img = cancer(stage, seed * 31);
      expect(img.cancerPolygons.length).toBeGreaterThanOrEqual(1);
      for (let k = 0; k < img.cancerPolygons.length; k++) expect(insideVsRing(img, k)).toBeGreaterThanOrEqual(20);
    }
  });

  it('has a black border outside the field of view (corners)', () => {
    for (const [seed, benign] of [[5, null], [6, 'polyp'], [7, 'erosion']] as const) {
      const img = renderEndoscopyImage(createRng(seed), { cancer: null, benign });
      const { width: w, height: h } = img;
      for (const [x0, y0] of [[0, 0], [w - 8, 0], [0, h - 8], [w - 8, h - 8]]) {
        for (let y = y0; y < y0 + 8; y++) {
          for (let x = x0; x < x0 + 8; x++) {
            const o = (y * w + x) * 3;
            expect(img.rgb[o] + img.rgb[o + 1] + img.rgb[o + 2]).toBe(0);
          }
        }
      }
      // ...while the centre of the field is lit.
      const c = ((h >> 1) * w + (w >> 1)) * 3;
      expect(img.rgb[c] + img.rgb[c + 1] + img.rgb[c + 2]).toBeGreaterThan(0);
    }
  });

  it('labels no polygons on normal images, including benign look-alikes', () => {
    for (const benign of [null, 'polyp', 'erosion'] as const) {
      for (const seed of [11, 12]) {
        const img = renderEndoscopyImage(createRng(seed), { cancer: null, benign });
        expect(img.cancerPolygons).toEqual([]);
        expect(img.benignFinding).toBe(benign);
      }
    }
    const withCancer = renderEndoscopyImage(createRng(13), { cancer: { stage: 'II', lesionIndex: 0 }, benign: 'polyp' });
    expect(withCancer.benignFinding).toBeNull();
  });

  it('returns integer polygon points inside the image and inside the lit field', () => {
    for (const stage of STAGES) {
      for (const seed of [21, 22, 23]) {
        const img = renderEndoscopyImage(createRng(seed), { width: 512, height: 384, cancer: { stage, lesionIndex: seed }, benign: null });
        for (const poly of img.cancerPolygons) {
          expect(poly.length).toBeGreaterThanOrEqual(20);
          expect(poly.length).toBeLessThanOrEqual(48);
          for (const [x, y] of poly) {
            expect(Number.isInteger(x) && Number.isInteger(y)).toBe(true);
            expect(x).toBeGreaterThanOrEqual(0);
            expect(y).toBeGreaterThanOrEqual(0);
            expect(x).toBeLessThan(img.width);
            expect(y).toBeLessThan(img.height);
            const o = (y * img.width + x) * 3;
            expect(img.rgb[o] + img.rgb[o + 1] + img.rgb[o + 2]).toBeGreaterThan(0);
          }
        }
      }
    }
  });

  it('draws stage IV lesions larger than stage I on average', () => {
    const meanArea = (stage: Stage): number => {
      let total = 0;
      for (let seed = 100; seed < 110; seed++) total += area(cancer(stage, seed).cancerPolygons[0]);
      return total / 10;
    };
    const a1 = meanArea('I');
    const a4 = meanArea('IV');
    expect(a4).toBeGreaterThan(2.5 * a1);
  });
});
