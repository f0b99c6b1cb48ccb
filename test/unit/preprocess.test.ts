/** Modality preprocessing shared by training and serving, and the way back from the model grid to source pixels. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readPart10File, Dataset } from '../../src/dicom/io';
import { mapToSource } from '../../src/imaging/geometry';
import { preprocess, defaultPreprocessSpec, PreprocessError } from '../../src/imaging/preprocess';
import { CT_WINDOWS } from '../../src/imaging/preprocess/ct';
import { suvFactor } from '../../src/imaging/preprocess/pet';
import { resampleCrop } from '../../src/imaging/preprocess/resize';
import { DecodedFrame } from '../../src/imaging/types';
import { renderEndoscopyImage } from '../../src/synth/endoscopy';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { createRng } from '../../src/synth/rng';
import { insidePolygon } from '../helpers/polygon';
import { labelFor, listFiles } from '../helpers/synth-files';

const rgbFrame = (width: number, height: number, rgb: Uint8Array): DecodedFrame => ({ rows: height, columns: width, samplesPerPixel: 3, photometricInterpretation: 'RGB', bitsStored: 8, pixelRepresentation: 0, pixels: rgb });

describe('endoscopy', () => {
  const image = renderEndoscopyImage(createRng(21), { cancer: { stage: 'III', lesionIndex: 0 }, benign: null });
  const input = preprocess(rgbFrame(image.width, image.height, image.rgb), {}, defaultPreprocessSpec('ES', 112));

  test('crops to the lit field of view, leaving the black border out', () => {
    const { crop } = input.geometry;
    expect(crop.x).toBeGreaterThan(0);
    expect(crop.x + crop.width).toBeLessThan(image.width);
    expect(crop.y).toBeGreaterThanOrEqual(0);
    expect(crop.width * crop.height).toBeLessThan(image.width * image.height * 0.95);
    expect(input.data).toHaveLength(112 * 112 * 3);
    const mean = input.data.reduce((s, v) => s + v, 0) / input.data.length;
    expect(Math.abs(mean)).toBeLessThan(1.5);
  });

  test('a label mask sent to the model grid and mapped back overlaps itself (IoU > 0.8)', () => {
    const { width, height } = image;
    const mask = new Float32Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) mask[y * width + x] = image.cancerPolygons.some((p) => insidePolygon(p, x, y)) ? 1 : 0;
    const grid = resampleCrop({ width, height, channels: 1, data: mask }, input.geometry.crop, 112, 112);
    const back = mapToSource(grid.data, 112, 112, input.geometry);
    let both = 0;
    let either = 0;
    for (let i = 0; i < mask.length; i++) {
      const a = mask[i] > 0.5;
      const b = back[i] > 0.5;
      if (a && b) both++;
      if (a || b) either++;
    }
    expect(both / either).toBeGreaterThan(0.8);
  });
});

describe('CT', () => {
  test('HU from rescale, one window per channel', () => {
    const hu = [-100, 0, 40, 80, 1000]; // all inside the body, so the square crop is the whole row
    const frame: DecodedFrame = { rows: 1, columns: 5, samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2', bitsStored: 16, pixelRepresentation: 1, pixels: Int16Array.from(hu.map((h) => (h + 1024) / 2)) };
    const spec = { ...defaultPreprocessSpec('CT', 5), cropToFieldOfView: false, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
    // The 5 x 1 source becomes 5 x 5: every output row samples the same source row.
    const out = preprocess(frame, { RescaleSlope: '2', RescaleIntercept: '-1024' }, spec);
    const soft = CT_WINDOWS[0];
    const expected = (h: number): number => Math.min(1, Math.max(0, (h - (soft.center - soft.width / 2)) / soft.width));
    // Column 2 of the middle row is 40 HU → 0.5 in the soft-tissue window.
    expect(out.data[(2 * 5 + 2) * 3]).toBeCloseTo(expected(40), 1);
    expect(() => preprocess(frame, { RescaleSlope: 'x' }, spec)).toThrow(PreprocessError);
  });
});

describe('PET', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-pre-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  let files: string[];
  beforeAll(() => {
    generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out: tmp, seed: 8, patients: 2, normalFraction: 0, modalities: ['PT'], petSlices: 6 });
    files = listFiles(tmp, '.dcm');
  });

  const frameOf = (d: Dataset): DecodedFrame => ({ rows: d.Rows as number, columns: d.Columns as number, samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2', bitsStored: 16, pixelRepresentation: 0, pixels: new Uint16Array((d.PixelData as ArrayBuffer[])[0]) });

  test('SUVbw from the header puts lesions at plausible SUVmax and background near 1', () => {
    let lesionMax = 0;
    for (const f of files) {
      const { dataset } = readPart10File(f);
      const factor = suvFactor(dataset);
      const pixels = frameOf(dataset).pixels;
      const polys = labelFor(f).annotations.map((a) => a.polygon);
      const cols = dataset.Columns as number;
      pixels.forEach((v, i) => {
        if (polys.some((p) => insidePolygon(p, i % cols, Math.floor(i / cols)))) lesionMax = Math.max(lesionMax, v * factor);
      });
    }
    expect(lesionMax).toBeGreaterThan(3);
    expect(lesionMax).toBeLessThan(25);
  });

  test('missing or unusable SUV attributes are named', () => {
    const { dataset } = readPart10File(files[0]);
    const spec = defaultPreprocessSpec('PT', 32);
    expect(() => preprocess(frameOf(dataset), { ...dataset, PatientWeight: undefined }, spec)).toThrow(/PatientWeight/);
    expect(() => preprocess(frameOf(dataset), { ...dataset, Units: 'CNTS' }, spec)).toThrow(/Units "CNTS"/);
    expect(() => preprocess(frameOf(dataset), { ...dataset, RadiopharmaceuticalInformationSequence: [] }, spec)).toThrow(/RadiopharmaceuticalInformationSequence/);
    expect(preprocess(frameOf(dataset), dataset, spec).data).toHaveLength(32 * 32 * 3);
  });
});
