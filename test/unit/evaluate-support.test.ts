/** The pieces around the metrics: image selection by split, CAM peak on source pixels, training history, reports. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mapToSource } from '../../src/imaging/geometry';
import { argmaxPixel } from '../../src/training/metrics';
import { splitByPatient } from '../../src/training/dataset/split';
import type { DatasetImage, DatasetIndex, PatientRecord } from '../../src/training/dataset/types';
import { readTrainingHistory } from '../../src/training/evaluate/history';
import { assembleEvaluation } from '../../src/training/evaluate/metrics';
import { writeEvaluationReport } from '../../src/training/evaluate/report';
import { peakOnSource, ImagePrediction } from '../../src/training/evaluate/run';
import { FALLBACK_SPLIT, recordedSplit, selectImages } from '../../src/training/evaluate/selection';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-evaluate-unit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function index(patients: number): DatasetIndex {
  const records: PatientRecord[] = [];
  const images: DatasetImage[] = [];
  for (let i = 0; i < patients; i++) {
    const personId = `P${String(i).padStart(2, '0')}`;
    const stage = i % 3 === 0 ? null : 'I';
    records.push({ personId, sex: i % 2 ? 'F' : 'M', age: 60, stage, pathology: null, images: 2, cancerImages: stage ? 1 : 0 });
    for (const seq of [1, 2]) {
      images.push({ dicomPath: `/d/${personId}_${seq}.dcm`, labelPath: '', personId, sex: i % 2 ? 'F' : 'M', age: 60, stage, pathology: null, cancer: stage !== null && seq === 1, polygons: [], width: 64, height: 64, seq, studyKey: `${personId}_01` });
    }
  }
  return { root: '/d', modality: 'ES', images, patients: records };
}

const manifestWith = (dataset: Record<string, unknown>) => ({ training: { dataset } }) as never;

test('split selection: all, the recorded test split, the documented fallback, and a malformed record refused', () => {
  const data = index(20);
  expect(selectImages(data, manifestWith({}), 'all').split).toEqual({ name: 'all', source: null, options: null, patients: 20 });
  const recorded = { train: 0.6, validation: 0.2, test: 0.2, seed: 9 };
  const test = selectImages(data, manifestWith({ split: recorded }), 'test');
  expect(test.split).toEqual({ name: 'test', source: 'manifest', options: recorded, patients: 4 });
  expect(test.images).toEqual(splitByPatient(data, recorded).test.images);
  const fallback = selectImages(data, manifestWith({}), 'test');
  expect(fallback.split.source).toBe('fallback');
  expect(fallback.images).toEqual(splitByPatient(data, FALLBACK_SPLIT).test.images);
  expect(recordedSplit(manifestWith({ split: null }))).toBeNull();
  expect(() => recordedSplit(manifestWith({ split: { train: 0.8, test: 0.2 } }))).toThrow(/expected \{train, validation, test \(fractions\), seed \(integer\)\}/);
});

test('the CAM peak lies within half a cell of the best grid node (sub-cell refinement), at a border cell on its centre', () => {
  const geometry = { sourceColumns: 640, sourceRows: 480, crop: { x: 27, y: 12, width: 587, height: 457 }, size: 224 };
  const logit = Float32Array.from({ length: 49 }, (_, i) => (i === 3 * 7 + 4 ? 5 : Math.sin(i)));
  const cam = { width: 7, height: 7, logit, probability: logit.map((v) => 1 / (1 + Math.exp(-v))) };
  const [x, y] = peakOnSource(cam, geometry);
  const upsampled = mapToSource(cam.logit, 7, 7, geometry, -Infinity);
  const node = argmaxPixel(upsampled, 640, 480);
  expect(Math.abs(node.x - x)).toBeLessThanOrEqual(587 / 7 / 2 + 1);
  expect(Math.abs(node.y - y)).toBeLessThanOrEqual(457 / 7 / 2 + 1);
  // Corner cell (no neighbour on one side): its centre, not the crop's first pixel.
  const corner = Float32Array.from({ length: 4 }, (_, i) => (i === 0 ? 100 : -100));
  expect(peakOnSource({ width: 2, height: 2, logit: corner, probability: corner }, geometry)).toEqual([Math.round(27 + 587 / 4 - 0.5), Math.round(12 + 457 / 4 - 0.5)]);
});

test('training-history.json: absent is null, nulls are gaps, a malformed file names the problem', () => {
  const dir = path.join(tmp, 'pkg');
  fs.mkdirSync(dir);
  expect(readTrainingHistory(dir)).toBeNull();
  fs.writeFileSync(path.join(dir, 'training-history.json'), JSON.stringify([{ epoch: 1, trainLoss: 0.7, validationLoss: null, trainMetric: 0.6, validationMetric: 0.5 }]));
  expect(readTrainingHistory(dir)).toEqual([{ epoch: 1, trainLoss: 0.7, validationLoss: undefined, trainMetric: 0.6, validationMetric: 0.5 }]);
  fs.writeFileSync(path.join(dir, 'training-history.json'), JSON.stringify([{ epoch: 1 }]));
  expect(() => readTrainingHistory(dir)).toThrow(/training-history\.json: 0\.trainLoss/);
});

test('report: index.html and report.md with the same facts, figures next to them, the clinical-use notice', async () => {
  const square: Array<[number, number]> = [[0, 0], [9, 0], [9, 9], [0, 9]];
  const preds: ImagePrediction[] = [0.9, 0.7, 0.4, 0.2, 0.1, 0.3].map((p, i) => ({
    file: `${i}.dcm`, personId: `P${i >> 1}`, sex: i < 4 ? 'M' : 'F', studyKey: `P${i >> 1}_01`, stage: i < 4 ? 'IV' : null, cancer: i < 3,
    polygons: i < 3 ? [square] : [], cancerProbability: p, stageProbabilities: [0.1, 0.1, 0.2, 0.6], peak: [5, 5],
  }));
  const rules = { topK: 1, imageThreshold: 0.5, urgentThreshold: 0.8, suspiciousThreshold: 0.5, operatingPoints: [] };
  const header = {
    model: { id: 'demo-es', version: '2.0.0', modality: 'ES' as const, deviceUid: '1.2.3', trainedOnSyntheticData: true, notForClinicalUse: true, dir: '/m' },
    data: { root: '/data', synthetic: true, syntheticImages: 6, split: { name: 'test' as const, source: 'fallback' as const, options: { train: 0.7, validation: 0.15, test: 0.15, seed: 1 }, patients: 3 } },
    options: { engine: 'onnx', backend: 'cpu', batchSize: 4, testTimeAugmentation: 'flips' as const },
  };
  const result = assembleEvaluation(header, preds, [], rules, { seed: 1, iterations: 200 });
  const out = path.join(tmp, 'report');
  const files = await writeEvaluationReport(result, out, [{ epoch: 1, trainLoss: 0.7 }, { epoch: 2, trainLoss: 0.5 }]);
  expect(files.figures.map((f) => path.basename(f)).sort()).toEqual(['reliability.svg', 'roc-study.svg', 'roc.svg', 'stage-confusion-study.svg', 'stage-confusion.svg', 'training-curves.svg']);
  const html = fs.readFileSync(files.html, 'utf8');
  const md = fs.readFileSync(files.markdown, 'utf8');
  for (const text of [html, md]) {
    expect(text).toContain('Evaluation: demo-es 2.0.0 (ES)');
    expect(text).toContain('not for clinical use');
    expect(text).toContain('FALLBACK: the manifest records no split');
    expect(text).toContain('synthetic: 6 images');
    expect(text).toContain('test-time augmentation flips (4 views');
    for (const f of files.figures) expect(text).toContain(path.basename(f));
  }
  expect(md).toMatch(/^\| image \| image \| 0\.500 \| 0\.667 \(/m);
});
