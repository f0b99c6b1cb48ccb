/**
 * analyzeStudy runs the routing decision it is given: a PET-CT study read by a CT and a PT model gives one result
 * set naming both, each image names the model that read it, and the study follows the documented rule (the most
 * urgent model reading wins; src/analysis/aggregate.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyzeStudy, StudySeries } from '../../src/analysis/analyze-study';
import { textOf } from '../../src/dicom/attributes';
import { readPart10File, writePart10 } from '../../src/dicom/io';
import { TransferSyntax } from '../../src/dicom/uids';
import { openModelPackage, ModelPackage } from '../../src/inference/package/load';
import { buildResultObjects } from '../../src/results/build';
import { listDicomFiles } from '../../src/synth/files';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { writeTestModelPackage } from '../helpers/model-package';

jest.setTimeout(240_000);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'analyze-study-'));
let ct: ModelPackage;
let pt: ModelPackage;
let series: StudySeries[];

beforeAll(async () => {
  const data = path.join(tmp, 'data');
  const summary = generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out: data, seed: 21, patients: 1, normalFraction: 0, modalities: ['CT', 'PT'], ctSlices: 2, petSlices: 2 });
  // CT never suspicious (a head that always says normal), PT always: the study must follow the PT reading.
  await writeTestModelPackage(path.join(tmp, 'ct'), 'CT', 64, { image: 0.5, urgent: 1, suspicious: 1 }, [20, -20]);
  await writeTestModelPackage(path.join(tmp, 'pt'), 'PT', 64, { urgent: 0, suspicious: 0 });
  ct = await openModelPackage(path.join(tmp, 'ct'), { engine: 'onnx', threads: 1, testTimeAugmentation: 'model' });
  pt = await openModelPackage(path.join(tmp, 'pt'), { engine: 'onnx', threads: 1, testTimeAugmentation: 'model' });
  // The synthetic CT and PET are two studies of one patient; a PET-CT scanner writes one: the PT series joins the CT study.
  const [ctStudy, ptStudy] = ['CT', 'PT'].map((m) => summary.patients[0].studies.find((s) => s.modality === m)!);
  const petCtDir = path.join(tmp, 'petct');
  fs.mkdirSync(petCtDir);
  const ptFiles = listDicomFiles(path.join(data, ptStudy.folder)).map((file, i) => {
    const { dataset } = readPart10File(file);
    dataset.StudyInstanceUID = ctStudy.studyInstanceUid;
    const out = path.join(petCtDir, `pt-${i}.dcm`);
    fs.writeFileSync(out, writePart10(dataset, TransferSyntax.ExplicitVRLittleEndian));
    return out;
  });
  const ctFiles = listDicomFiles(path.join(data, ctStudy.folder));
  const seriesOf = (file: string): string => textOf(readPart10File(file).dataset.SeriesInstanceUID);
  series = [
    { seriesInstanceUid: seriesOf(ctFiles[0]), model: ct, files: ctFiles },
    { seriesInstanceUid: seriesOf(ptFiles[0]), model: pt, files: ptFiles },
  ];
});

afterAll(async () => {
  await ct?.engine.dispose();
  await pt?.engine.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a PET-CT study read by two models: one analysis naming both, images by their model, the most urgent reading leads', async () => {
  const studies = new Set(series.flatMap((s) => s.files.map((f) => textOf(readPart10File(f).dataset.StudyInstanceUID))));
  expect(studies.size).toBe(1); // the synthetic PET-CT is one study with a CT and a PT series
  expect(series.map((s) => s.model.manifest.id).sort()).toEqual(['test-ct', 'test-pt']);

  const { analysis, maps, sources, transferSyntaxes } = await analyzeStudy(series, { batchSize: 4 });
  expect(analysis.models.map((m) => m.id).sort()).toEqual(['test-ct', 'test-pt']);
  for (const s of series) {
    const images = analysis.images.filter((i) => i.seriesInstanceUid === s.seriesInstanceUid);
    expect(images.length).toBeGreaterThan(0);
    expect(new Set(images.map((i) => i.modelId))).toEqual(new Set([s.model.manifest.id]));
  }
  expect(analysis.readings.map((r) => [r.modelId, r.priority]).sort()).toEqual([
    ['test-ct', 'routine'],
    ['test-pt', 'urgent'],
  ]);
  expect(analysis.priority).toBe('urgent');
  expect(analysis.cancerProbability).toBe(analysis.readings.find((r) => r.modelId === 'test-pt')!.cancerProbability);
  expect(analysis.aggregation).toMatch(/of test-pt, the most urgent of 2 model readings/);

  const objects = await buildResultObjects({ analysis, maps, sources, transferSyntaxes, segmentationType: 'BINARY', now: new Date(0) }, { secondaryCapture: true });
  const sr = objects.find((o) => o.kind === 'SR')!;
  const equipment = (sr.dataset.ContributingEquipmentSequence as Array<Record<string, unknown>>).map((e) => e.ManufacturerModelName).sort();
  expect(equipment).toEqual(['test-ct', 'test-pt']);
  // Only PT images are suspicious, so every SEG and SC comes from the PT series and names the PT model.
  const segs = objects.filter((o) => o.kind === 'SEG');
  expect(segs.length).toBeGreaterThan(0);
  for (const seg of segs) {
    const segments = seg.dataset.SegmentSequence as Array<Record<string, unknown>>;
    expect(segments.map((s) => s.SegmentAlgorithmName)).toEqual(['test-pt']);
  }
});
