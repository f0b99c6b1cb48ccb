import { renderCtSeries } from '../../src/synth/ct';
import { renderPetSeries } from '../../src/synth/pet';
import { createRng } from '../../src/synth/rng';
import type { CtSeries, PetSeries, Polygon, Stage } from '../../src/synth/types';
import { insidePolygon } from '../helpers/polygon';

function pixelsIn(poly: Polygon, columns: number): number[] {
  const xs = poly.map((p) => p[0]);
  const ys = poly.map((p) => p[1]);
  const out: number[] = [];
  for (let r = Math.min(...ys); r <= Math.max(...ys); r++) {
    for (let c = Math.min(...xs); c <= Math.max(...xs); c++) if (insidePolygon(poly, c, r)) out.push(r * columns + c);
  }
  return out;
}

const hu = (s: CtSeries, k: number, i: number): number => s.slices[k].pixels[i] * s.rescaleSlope + s.rescaleIntercept;

/** SUVbw as a reader computes it from the stored values and the acquisition attributes. */
function suv(s: PetSeries, k: number, i: number): number {
  const bqml = s.slices[k].pixels[i] * s.rescaleSlopes[k];
  return (bqml * s.patientWeightKg * 1000) / (s.injectedDoseBq * 2 ** (-s.uptakeS / s.halfLifeS));
}

function checkGeometry(s: CtSeries | PetSeries, n: number): void {
  expect(s.slices).toHaveLength(n);
  expect(s.positions).toHaveLength(n);
  for (let k = 0; k < n; k++) {
    expect(s.slices[k].pixels).toHaveLength(s.rows * s.columns);
    expect(s.positions[k][0]).toBeCloseTo(-(s.columns / 2) * s.pixelSpacing[1], 6);
    expect(s.positions[k][1]).toBeCloseTo(-(s.rows / 2) * s.pixelSpacing[0], 6);
    if (k > 0) expect(Math.abs(s.positions[k][2] - s.positions[k - 1][2])).toBeCloseTo(s.sliceThickness, 3);
    for (const poly of s.slices[k].cancerPolygons) {
      expect(poly.length).toBeGreaterThanOrEqual(3);
      for (const [x, y] of poly) {
        expect(Number.isInteger(x) && Number.isInteger(y)).toBe(true);
        expect(x >= 0 && x < s.columns && y >= 0 && y < s.rows).toBe(true);
      }
    }
  }
  const dz = s.positions.slice(1).map((p, k) => p[2] - s.positions[k][2]);
  expect(dz.every((d) => Math.sign(d) === Math.sign(dz[0]))).toBe(true);
}

describe('synthetic CT', () => {
  it('is deterministic and fast enough at 512 x 512 x 16', () => {
    const t0 = Date.now();
    const a = renderCtSeries(createRng(11), { stage: 'III' });
    const ms = Date.now() - t0;
    const b = renderCtSeries(createRng(11), { stage: 'III' });
    expect(a.rows).toBe(512);
    expect(a.columns).toBe(512);
    expect(a.pixelSpacing[0]).toBeGreaterThanOrEqual(0.7);
    expect(a.pixelSpacing[0]).toBeLessThanOrEqual(0.8);
    expect(a.sliceThickness).toBe(5);
    expect(a.rescaleSlope).toBe(1);
    expect(a.rescaleIntercept).toBe(-1024);
    checkGeometry(a, 16);
    for (let k = 0; k < 16; k++) expect(Buffer.from(a.slices[k].pixels.buffer).equals(Buffer.from(b.slices[k].pixels.buffer))).toBe(true);
    expect(a.slices.map((s) => s.cancerPolygons)).toEqual(b.slices.map((s) => s.cancerPolygons));
    expect(a.findings).toEqual(b.findings);
    expect(ms).toBeLessThan(4000); // budget is 1.5 s; slack for loaded CI machines
    const c = renderCtSeries(createRng(12), { stage: 'III' });
    expect(Buffer.from(c.slices[8].pixels.buffer).equals(Buffer.from(a.slices[8].pixels.buffer))).toBe(false);
  });

  it('has plausible Hounsfield units', () => {
    const s = renderCtSeries(createRng(3), { stage: null, sliceCount: 6 });
    const last = s.rows * s.columns - 1;
    for (let k = 0; k < 6; k++) {
      for (const i of [0, s.columns - 1, last - s.columns + 1, last]) {
        expect(hu(s, k, i)).toBeGreaterThan(-1080);
        expect(hu(s, k, i)).toBeLessThan(-920);
      }
      let max = -Infinity;
      for (let i = 0; i <= last; i++) max = Math.max(max, hu(s, k, i));
      expect(max).toBeGreaterThan(300); // vertebra
      expect(max).toBeLessThan(1200);
    }
    // Mid-image (between the body centre and the spine) is soft tissue or fat, not air.
    const mid = hu(s, 3, (s.rows / 2) * s.columns + s.columns / 2);
    expect(mid).toBeGreaterThan(-300);
  });

  it('outlines soft-tissue lesions for cancer and nothing for controls', () => {
    for (const stage of ['I', 'II', 'III', 'IV', null] as Array<Stage | null>) {
      for (const seed of [1, 2, 3]) {
        const s = renderCtSeries(createRng(seed * 31 + 7), { stage, rows: 256, columns: 256 });
        const withLesion = s.slices.map((sl, k) => ({ sl, k })).filter(({ sl }) => sl.cancerPolygons.length > 0);
        if (stage === null) {
          expect(withLesion).toHaveLength(0);
          expect(s.findings.lesionCount).toBe(0);
          continue;
        }
        expect(withLesion.length).toBeGreaterThan(0);
        expect(s.findings.lesionCount).toBeGreaterThanOrEqual(stage === 'IV' ? 3 : 1);
        for (const { sl, k } of withLesion) {
          for (const poly of sl.cancerPolygons) {
            const px = pixelsIn(poly, s.columns);
            expect(px.length).toBeGreaterThan(0);
            const mean = px.reduce((acc, i) => acc + hu(s, k, i), 0) / px.length;
            expect(mean).toBeGreaterThan(0);
            expect(mean).toBeLessThan(120);
          }
        }
      }
    }
  });

  it('reports wall thickness growing with stage', () => {
    const avg = (stage: Stage | null): number => {
      let sum = 0;
      for (const seed of [5, 6, 7, 8]) sum += renderCtSeries(createRng(seed), { stage, rows: 128, columns: 128 }).findings.maxWallThicknessMm;
      return sum / 4;
    };
    const control = avg(null);
    const one = avg('I');
    const four = avg('IV');
    expect(control).toBeGreaterThanOrEqual(3);
    expect(control).toBeLessThanOrEqual(5);
    expect(one).toBeGreaterThan(control);
    expect(four).toBeGreaterThan(one);
  });
});

describe('synthetic PET', () => {
  it('is deterministic with consistent geometry and acquisition facts', () => {
    const a = renderPetSeries(createRng(21), { stage: 'II', sex: 'F' });
    const b = renderPetSeries(createRng(21), { stage: 'II', sex: 'F' });
    expect(a).toEqual(b);
    expect(a.rows).toBe(128);
    checkGeometry(a, 16);
    expect(a.rescaleSlopes).toHaveLength(16);
    expect(a.pixelSpacing[0]).toBeGreaterThan(3.5);
    expect(a.pixelSpacing[0]).toBeLessThan(4.5);
    expect(a.sliceThickness).toBeGreaterThanOrEqual(3);
    expect(a.sliceThickness).toBeLessThanOrEqual(4);
    expect(a.patientWeightKg).toBeGreaterThanOrEqual(45);
    expect(a.patientWeightKg).toBeLessThanOrEqual(75);
    expect(a.halfLifeS).toBe(6586.2);
    expect(a.uptakeS).toBeGreaterThanOrEqual(3300);
    expect(a.uptakeS).toBeLessThanOrEqual(4200);
    expect(a.injectedDoseBq / a.patientWeightKg / 1e6).toBeGreaterThan(3);
    expect(a.injectedDoseBq / a.patientWeightKg / 1e6).toBeLessThan(4.5);
    for (let k = 0; k < 16; k++) {
      const max = a.slices[k].pixels.reduce((m, v) => Math.max(m, v), 0);
      expect(max).toBeGreaterThan(31000);
      expect(max).toBeLessThanOrEqual(32000);
    }
  });

  it('matches findings.suvMax inside the lesion outlines and grows with stage', () => {
    const mean: Record<string, number> = {};
    for (const stage of [null, 'I', 'II', 'III', 'IV'] as Array<Stage | null>) {
      let sum = 0;
      for (const seed of [1, 2, 3, 4]) {
        const s = renderPetSeries(createRng(seed * 13 + 5), { stage, sex: seed % 2 ? 'M' : 'F' });
        sum += s.findings.suvMax;
        const polys = s.slices.flatMap((sl, k) => sl.cancerPolygons.map((p) => ({ p, k })));
        if (stage === null) {
          expect(polys).toHaveLength(0);
          expect(s.findings.distantHotSpots).toBe(0);
          expect(s.findings.suvMax).toBeGreaterThan(1);
          expect(s.findings.suvMax).toBeLessThan(3);
          continue;
        }
        // The primary is the hottest lesion; for I-III it is the only one.
        let max = 0;
        for (const { p, k } of polys) for (const i of pixelsIn(p, s.columns)) max = Math.max(max, suv(s, k, i));
        expect(Math.abs(max - s.findings.suvMax) / s.findings.suvMax).toBeLessThan(0.1);
        if (stage === 'IV') expect(s.findings.distantHotSpots).toBeGreaterThanOrEqual(2);
        else expect(s.findings.distantHotSpots).toBe(0);
      }
      mean[String(stage)] = sum / 4;
    }
    expect(mean.I).toBeGreaterThan(3);
    expect(mean.I).toBeGreaterThan(mean.null);
    expect(mean.II).toBeGreaterThan(mean.I);
    expect(mean.IV).toBeGreaterThan(mean.II);
  });

  it('keeps each hot spot under a polygon of 40 %-of-max outline', () => {
    const s = renderPetSeries(createRng(99), { stage: 'IV', sex: 'M' });
    const withPoly = s.slices.filter((sl) => sl.cancerPolygons.length > 0).length;
    expect(withPoly).toBeGreaterThan(1);
    let hottest = 0;
    s.slices.forEach((sl, k) => {
      for (const p of sl.cancerPolygons) {
        const inside = pixelsIn(p, s.columns).map((i) => suv(s, k, i));
        hottest = Math.max(hottest, ...inside);
      }
    });
    expect(hottest).toBeGreaterThan(10 * 0.9);
  });
});
