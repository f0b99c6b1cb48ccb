/** The synth command's dataset: the seed's layout and label format, labels that match the pictures, same seed → same bytes. */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as jpeg from 'jpeg-js';
import { readPart10File } from '../../src/dicom/io';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic, SynthOptions } from '../../src/synth/generate';
import { planPatients, SEED_MALE_FRACTION, SEED_STAGE_WEIGHTS } from '../../src/synth/plan';
import { createRng } from '../../src/synth/rng';
import { labelFor, listFiles } from '../helpers/synth-files';
import { insidePolygon } from '../helpers/polygon';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-synth-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function synth(name: string, overrides: Partial<SynthOptions>): string {
  const out = path.join(tmp, name);
  fs.mkdirSync(out);
  generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out, endoscopyImages: 4, ctSlices: 3, petSlices: 3, ...overrides });
  return out;
}

function digestTree(dir: string): Record<string, string> {
  return Object.fromEntries(
    [...listFiles(dir, '.dcm'), ...listFiles(dir, '.json')].map((f) => [path.relative(dir, f), createHash('sha256').update(fs.readFileSync(f)).digest('hex')]),
  );
}

function rgbOf(file: string): { rgb: Uint8Array; width: number; height: number } {
  const { meta, dataset } = readPart10File(file);
  const frame = new Uint8Array((dataset.PixelData as ArrayBuffer[])[0]);
  const width = dataset.Columns as number;
  const height = dataset.Rows as number;
  if (meta.TransferSyntaxUID === '1.2.840.10008.1.2.4.50') {
    const decoded = jpeg.decode(frame, { useTArray: true, formatAsRGBA: false });
    return { rgb: decoded.data, width, height };
  }
  return { rgb: frame, width, height };
}

describe('synthetic dataset', () => {
  let plain: string;
  let jpegDir: string;
  beforeAll(() => {
    plain = synth('plain', { seed: 3, patients: 3, normalFraction: 0 });
    jpegDir = synth('jpeg', { seed: 3, patients: 3, normalFraction: 0, jpeg: true, modalities: ['ES'] });
  });

  test('writes the seed layout: 원천데이터 / 라벨링데이터 / person / modality folder / person_study_seq', () => {
    const files = listFiles(plain, '.dcm').map((f) => path.relative(plain, f).split(path.sep));
    expect(files.length).toBe(3 * (4 + 3 + 3));
    for (const [root, person, folder, name] of files) {
      expect(root).toBe('원천데이터');
      expect(['ENDO', 'CT', 'PET']).toContain(folder);
      expect(name).toMatch(new RegExp(`^${person}_\\d{2}_\\d{4}\\.dcm$`));
    }
    expect(listFiles(path.join(plain, '라벨링데이터'), '.json')).toHaveLength(files.length);
  });

  test('labels carry the seed fields and agree with their DICOM file', () => {
    for (const file of listFiles(plain, '.dcm')) {
      const label = labelFor(file);
      const { dataset } = readPart10File(file);
      expect(Object.keys(label.image).sort()).toEqual(['height', 'image_count', 'image_name', 'image_seq', 'image_type', 'person_id', 'phase_id', 'sex', 'width']);
      expect(label.image.person_id).toBe(dataset.PatientID);
      expect(label.image.sex).toBe(dataset.PatientSex);
      expect(label.image.image_name).toBe(path.basename(file));
      expect(label.image.image_type).toBe('DICOM');
      expect([label.image.width, label.image.height]).toEqual([dataset.Columns, dataset.Rows]);
      expect(label.image.image_seq).toBe(dataset.InstanceNumber);
      expect(label.gastric_ai_extension.sop_instance_uid).toBe(dataset.SOPInstanceUID);
      expect(label.gastric_ai_extension.synthetic).toBe(true);
      for (const a of label.annotations) {
        expect(a).toMatchObject({ category: 'cancer', label_type: 'polygon' });
        for (const [x, y] of a.polygon) {
          expect(x).toBeGreaterThanOrEqual(0);
          expect(y).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThan(label.image.width);
          expect(y).toBeLessThan(label.image.height);
        }
      }
    }
  });

  test.each([
    ['uncompressed RGB', () => plain],
    ['JPEG baseline', () => jpegDir],
  ])('endoscopy cancer images (%s): pixels inside the label polygon differ from those outside', (_name, dir) => {
    const cancerFiles = listFiles(dir(), '.dcm').filter((f) => f.includes(`${path.sep}ENDO${path.sep}`) && labelFor(f).annotations.length > 0);
    expect(cancerFiles.length).toBeGreaterThan(0);
    for (const file of cancerFiles) {
      const { rgb, width, height } = rgbOf(file);
      const polys = labelFor(file).annotations.map((a) => a.polygon);
      const sums = { in: [0, 0, 0, 0], out: [0, 0, 0, 0] };
      for (let y = 0; y < height; y += 2) {
        for (let x = 0; x < width; x += 2) {
          const i = (y * width + x) * 3;
          if (rgb[i] + rgb[i + 1] + rgb[i + 2] < 60) continue; // black border outside the field of view
          const s = polys.some((p) => insidePolygon(p, x, y)) ? sums.in : sums.out;
          s[0] += rgb[i];
          s[1] += rgb[i + 1];
          s[2] += rgb[i + 2];
          s[3] += 1;
        }
      }
      const mean = (s: number[]): number[] => s.slice(0, 3).map((v) => v / s[3]);
      const [a, b] = [mean(sums.in), mean(sums.out)];
      const distance = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
      expect(distance).toBeGreaterThan(15);
    }
  });

  test('CT: one frame of reference, positions step by the slice thickness, HU by rescale', () => {
    const files = listFiles(plain, '.dcm').filter((f) => f.includes(`${path.sep}CT${path.sep}`));
    const byPatient = new Map<string, Array<Record<string, unknown>>>();
    for (const f of files) {
      const { dataset } = readPart10File(f);
      byPatient.set(dataset.PatientID as string, [...(byPatient.get(dataset.PatientID as string) ?? []), dataset]);
    }
    for (const slices of byPatient.values()) {
      expect(new Set(slices.map((s) => s.FrameOfReferenceUID)).size).toBe(1);
      expect(new Set(slices.map((s) => s.SeriesInstanceUID)).size).toBe(1);
      const z = slices.map((s) => (s.ImagePositionPatient as number[])[2]).sort((p, q) => p - q);
      for (let i = 1; i < z.length; i++) expect(z[i] - z[i - 1]).toBeCloseTo(Number(slices[0].SliceThickness), 3);
      const pixels = new Int16Array((slices[0].PixelData as ArrayBuffer[])[0]);
      const hu = pixels[0] * Number(slices[0].RescaleSlope) + Number(slices[0].RescaleIntercept);
      expect(hu).toBeLessThan(-900); // air in the corner
    }
  });

  test('PET: SUVbw computed from the header alone is high inside a cancer label and low elsewhere', () => {
    const files = listFiles(plain, '.dcm').filter((f) => f.includes(`${path.sep}PET${path.sep}`));
    let lesionSlices = 0;
    for (const f of files) {
      const { dataset: d } = readPart10File(f);
      expect(d.Units).toBe('BQML');
      expect(d.DecayCorrection).toBe('START');
      const rp = (d.RadiopharmaceuticalInformationSequence as Array<Record<string, unknown>>)[0];
      const dose = Number(rp.RadionuclideTotalDose);
      const halfLife = Number(rp.RadionuclideHalfLife);
      const seconds = (t: string): number => Number(t.slice(0, 2)) * 3600 + Number(t.slice(2, 4)) * 60 + Number(t.slice(4, 6));
      const elapsed = seconds(String(d.SeriesTime)) - seconds(String(rp.RadiopharmaceuticalStartTime));
      const decayedDose = dose * Math.pow(2, -elapsed / halfLife);
      const scale = (Number(d.RescaleSlope) * Number(d.PatientWeight) * 1000) / decayedDose;
      const pixels = new Uint16Array((d.PixelData as ArrayBuffer[])[0]);
      const cols = d.Columns as number;
      const polys = labelFor(f).annotations.map((a) => a.polygon);
      if (polys.length === 0) continue;
      lesionSlices++;
      let maxIn = 0;
      let sumOut = 0;
      let nOut = 0;
      pixels.forEach((v, i) => {
        const suv = v * scale;
        if (polys.some((p) => insidePolygon(p, i % cols, Math.floor(i / cols)))) maxIn = Math.max(maxIn, suv);
        else if (suv > 0.2) {
          sumOut += suv;
          nOut++;
        }
      });
      expect(maxIn).toBeGreaterThan(2.5);
      expect(maxIn).toBeGreaterThan(2 * (sumOut / nOut));
    }
    expect(lesionSlices).toBeGreaterThan(0);
  });

  test('same seed → same bytes; another seed → other bytes', () => {
    const options = { seed: 9, patients: 2, endoscopyImages: 2, ctSlices: 2, petSlices: 2, jpeg: true };
    const a = digestTree(synth('same-a', options));
    const b = digestTree(synth('same-b', options));
    const c = digestTree(synth('other', { ...options, seed: 10 }));
    expect(Object.keys(a).length).toBe(2 * 6 * 2 + 1); // + synthetic-manifest.json
    expect(b).toEqual(a);
    expect(Object.values(c)).not.toEqual(Object.values(a));
  });
});

describe('patient mix', () => {
  test("stages follow the seed's mix and sex its 61:39 ratio", () => {
    const plans = planPatients(createRng(1), { seed: 1, patients: 20000, normalFraction: 0.2 });
    const cancer = plans.filter((p) => p.stage !== null);
    expect(cancer.length / plans.length).toBeCloseTo(0.8, 1);
    const total = SEED_STAGE_WEIGHTS.reduce((s, w) => s + w, 0);
    (['I', 'II', 'III', 'IV'] as const).forEach((stage, i) => {
      const share = cancer.filter((p) => p.stage === stage).length / cancer.length;
      expect(Math.abs(share - SEED_STAGE_WEIGHTS[i] / total)).toBeLessThan(0.015);
    });
    expect(Math.abs(plans.filter((p) => p.sex === 'M').length / plans.length - SEED_MALE_FRACTION)).toBeLessThan(0.015);
    for (const p of plans) expect(p.age).toBeGreaterThanOrEqual(28);
  });
});
