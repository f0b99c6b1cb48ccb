/**
 * A ResultInput for result-object tests without running a model: a synthetic patient's images, with the label
 * polygons standing in for the localisation (map 0.9 inside the polygon, 0.05 outside). Positive patients give
 * suspicious images with regions; a control patient gives a study with no finding.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { aggregateStudy } from '../../src/analysis/aggregate';
import { ImageMap } from '../../src/domain/analysis';
import { Dataset, readPart10File } from '../../src/dicom/io';
import { ImageResult, ModelRef, StudyAnalysis } from '../../src/domain/analysis';
import { largestRegion } from '../../src/imaging/contour';
import { insidePolygon } from '../../src/imaging/polygon';
import { ResultInput } from '../../src/results/common';
import { generateSynthetic, DEFAULT_SYNTH_OPTIONS } from '../../src/synth/generate';
import { labelFor, listFiles } from './synth-files';

export interface FixtureOptions {
  modality: 'ES' | 'CT' | 'PT';
  /** true: a patient with cancer (findings); false: a control (no finding). */
  positive: boolean;
  jpeg?: boolean;
  /** Where the synthetic files go (default: a new temp folder). */
  dir?: string;
}

const text = (v: unknown): string => (Array.isArray(v) ? String(v[0] ?? '') : v === undefined ? '' : String(v));

export const fixtureModel = (modality: 'ES' | 'CT' | 'PT'): ModelRef => ({
  id: `${modality.toLowerCase()}-test`,
  version: '0.0.1',
  modality,
  deviceUid: '2.25.1234567890',
  synthetic: true,
});

/** Synthesises patients until one with (positive) or without (control) cancer turns up, and builds its ResultInput. */
export function syntheticResultInput(options: FixtureOptions): ResultInput & { files: string[]; dir: string } {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'result-input-'));
  for (let seed = 1; seed < 50; seed++) {
    const out = path.join(dir, `seed-${seed}`);
    generateSynthetic({
      ...DEFAULT_SYNTH_OPTIONS,
      out,
      patients: 1,
      seed,
      modalities: [options.modality],
      jpeg: options.jpeg ?? false,
      normalFraction: options.positive ? 0 : 1,
      endoscopyImages: 4,
      ctSlices: 6,
      petSlices: 6,
    });
    const files = listFiles(out, '.dcm');
    const labelled = files.filter((f) => labelFor(f).annotations.length > 0);
    if (options.positive ? labelled.length > 0 : labelled.length === 0) return build(files, options.modality, dir);
  }
  throw new Error('no synthetic patient of the requested kind in 50 seeds');
}

function build(files: string[], modality: 'ES' | 'CT' | 'PT', dir: string): ResultInput & { files: string[]; dir: string } {
  const sources = new Map<string, Dataset>();
  const images: ImageResult[] = [];
  const maps: ImageMap[] = [];
  let studyInstanceUid = '';
  for (const file of files) {
    const { dataset } = readPart10File(file);
    const uid = text(dataset.SOPInstanceUID);
    studyInstanceUid = text(dataset.StudyInstanceUID);
    sources.set(uid, dataset);
    const width = Number(dataset.Columns);
    const height = Number(dataset.Rows);
    const polygons = labelFor(file).annotations.map((a) => a.polygon as Array<[number, number]>);
    const probability = new Float32Array(width * height).fill(0.05);
    for (const polygon of polygons)
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (insidePolygon(polygon, x + 0.5, y + 0.5)) probability[y * width + x] = 0.9;
    const region = polygons.length ? largestRegion(probability, width, height, 0.5) : null;
    const result: ImageResult = {
      modelId: fixtureModel(modality).id,
      sopInstanceUid: uid,
      seriesInstanceUid: text(dataset.SeriesInstanceUID),
      sopClassUid: text(dataset.SOPClassUID),
      frame: 0,
      cancerProbability: region ? 0.91 : 0.04,
      stageProbabilities: region ? [0.1, 0.1, 0.7, 0.1] : [0.25, 0.25, 0.25, 0.25],
      suspicious: region !== null,
      region: region
        ? {
            contour: region.contour,
            box: region.box,
            peak: [region.box.x + Math.floor(region.box.width / 2), region.box.y + Math.floor(region.box.height / 2)],
            areaPixels: region.area,
            meanProbability: 0.9,
          }
        : null,
    };
    images.push(result);
    if (region) maps.push({ sopInstanceUid: uid, frame: 0, width, height, probability });
  }
  const conclusion = aggregateStudy(images, { topK: 3, urgentProbability: 0.8, suspiciousProbability: 0.5 });
  const analysis: StudyAnalysis = {
    studyInstanceUid,
    models: [fixtureModel(modality)],
    readings: [{ modelId: fixtureModel(modality).id, cancerProbability: conclusion.cancerProbability, priority: conclusion.priority, images: images.length }],
    ...conclusion,
    images,
    skipped: [],
    timings: { decodeMs: 1, preprocessMs: 1, inferMs: 1, localiseMs: 1, totalMs: 4 },
    notForClinicalUse: true,
  };
  return { analysis, maps, sources, segmentationType: 'BINARY', now: new Date('2026-11-26T12:00:00Z'), files, dir };
}
