/** `gastric-ai evaluate` end to end: a tiny synthetic ES dataset, a 64 px untrained model package, JSON and reports. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readDataset } from '../../src/training/dataset/reader';
import { splitByPatient } from '../../src/training/dataset/split';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { SynthSummary } from '../../src/synth/summary';
import type { EvaluationResult } from '../../src/training/evaluate/metrics';
import { readManifest } from '../../src/inference/package/load';
import type { Proportion } from '../../src/training/metrics';
import { runCli } from '../helpers/cli';
import { writeTestModelPackage } from '../helpers/model-package';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-evaluate-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const data = path.join(tmp, 'data');
const modelDir = path.join(tmp, 'model-es');
const recordedSplit = { train: 0.5, validation: 0, test: 0.5, seed: 3 };
let summary: SynthSummary;

beforeAll(async () => {
  fs.mkdirSync(data);
  summary = generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out: data, seed: 13, patients: 6, normalFraction: 0.3, jpeg: true, modalities: ['ES'], endoscopyImages: 3 });
  await writeTestModelPackage(modelDir, 'ES', 64, { image: 0.5 });
  // What a trainer adds to a package: a named operating point, the split it made, and its training history.
  const manifestFile = path.join(modelDir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  manifest.operatingPoints = [{ name: 'high-sensitivity', threshold: 0.3, sensitivity: 0.95, specificity: null }];
  manifest.training.dataset = { split: recordedSplit };
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  const history = [1, 2, 3].map((epoch) => ({ epoch, trainLoss: 0.7 / epoch, validationLoss: 0.75 / epoch, trainMetric: 0.6 + 0.1 * epoch, validationMetric: 0.55 + 0.1 * epoch }));
  fs.writeFileSync(path.join(modelDir, 'training-history.json'), JSON.stringify(history));
}, 120_000);

function evaluate(args: string[]): EvaluationResult {
  const r = runCli(['evaluate', '--model', modelDir, '--data', data, '--engine', 'onnx', '--batch', '4', '--bootstrap', '500', ...args]);
  if (r.status !== 0) throw new Error(`evaluate failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as EvaluationResult;
}

const inUnit = (v: number | null): void => {
  if (v === null) return;
  expect(v).toBeGreaterThanOrEqual(0);
  expect(v).toBeLessThanOrEqual(1);
};

function expectBracketed(p: Proportion): void {
  inUnit(p.value);
  if (p.value === null || p.ci === null) return;
  expect(p.ci.lower).toBeLessThanOrEqual(p.value);
  expect(p.ci.upper).toBeGreaterThanOrEqual(p.value);
}

test('every section, with values in range and counts that match the dataset; reports with figures', () => {
  const report = path.join(tmp, 'report');
  const r = evaluate(['--split', 'all', '--report', report]);
  const images = summary.patients.flatMap((p) => p.studies);
  const cancerImages = images.reduce((n, s) => n + s.cancerImages, 0);
  const cancerStudies = images.filter((s) => s.cancerImages > 0).length;

  expect(r.schema).toBe('gastric-ai-node/evaluation/v1');
  expect(r.notForClinicalUse).toBe(true);
  expect(r.model).toEqual(expect.objectContaining({ id: 'test-es', modality: 'ES', trainedOnSyntheticData: true }));
  expect(r.data).toEqual(expect.objectContaining({ synthetic: true, syntheticImages: 18, split: expect.objectContaining({ name: 'all', patients: 6 }) }));
  expect(r.counts).toEqual({
    patients: 6, images: 18, cancerImages, normalImages: 18 - cancerImages, studies: 6, cancerStudies, normalStudies: 6 - cancerStudies, skippedImages: 0,
    stageImages: cancerImages, stageStudies: cancerStudies,
  });
  for (const sex of ['M', 'F'] as const) {
    const patients = summary.patients.filter((p) => p.sex === sex);
    expect(r.bySex[sex].patients).toBe(patients.length);
    expect(r.bySex[sex].images).toBe(patients.length * 3);
  }
  expect(r.bySex.M.images + r.bySex.F.images).toBe(r.counts.images);
  expect(r.bySex.M.cancerImages + r.bySex.F.cancerImages).toBe(r.counts.cancerImages);
  expect(r.bySex.M.studies + r.bySex.F.studies).toBe(r.counts.studies);

  // Discrimination: the fixture has cancer and normal images and studies, so both AUROCs exist with bracketing CIs.
  for (const level of [r.imageLevel, r.studyLevel]) {
    const { estimate, ci } = level.auroc;
    expect(estimate).not.toBeNull();
    inUnit(estimate);
    expect(ci!.lower!).toBeLessThanOrEqual(estimate!);
    expect(ci!.upper!).toBeGreaterThanOrEqual(estimate!);
    expect(ci!.resampling).toBe('clusters');
    expect(level.roc[0]).toEqual({ fpr: 0, tpr: 0, threshold: null });
    expect(level.roc[level.roc.length - 1]).toEqual(expect.objectContaining({ fpr: 1, tpr: 1 }));
    for (const op of level.operatingPoints) {
      for (const p of [op.sensitivity, op.specificity, op.ppv, op.npv, op.accuracy]) expectBracketed(p);
    }
  }
  expect(r.imageLevel.operatingPoints.map((op) => [op.name, op.threshold])).toEqual([['high-sensitivity', 0.3], ['image', 0.5]]);
  const { tp, fp, tn, fn } = r.imageLevel.operatingPoints[1].counts;
  expect([tp + fn, tn + fp]).toEqual([cancerImages, 18 - cancerImages]);
  expect(r.studyLevel.operatingPoints.map((op) => op.name)).toEqual(['suspicious', 'urgent']);

  for (const s of [r.stage.image, r.stage.study]) {
    expect(s.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(s.cases);
    inUnit(s.accuracy);
    if (s.quadraticWeightedKappa !== null) expect(Math.abs(s.quadraticWeightedKappa)).toBeLessThanOrEqual(1);
  }
  expect(r.calibration.bins).toHaveLength(10);
  expect(r.calibration.bins.reduce((n, b) => n + b.count, 0)).toBe(18);
  inUnit(r.calibration.ece);
  inUnit(r.calibration.brier);
  expect(r.pointingGame.allCancerImages.scored).toBe(cancerImages);
  expect(r.pointingGame.truePositives.scored).toBe(r.imageLevel.operatingPoints[1].counts.tp);
  inUnit(r.pointingGame.allCancerImages.hitRate);
  expect(r.predictions.images).toHaveLength(18);
  expect(r.predictions.studies).toHaveLength(6);
  for (const p of r.predictions.images) expect(p.stageProbabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);

  for (const file of ['index.html', 'report.md']) {
    const text = fs.readFileSync(path.join(report, file), 'utf8');
    expect(text).toContain('Evaluation: test-es 0.0.1 (ES)');
    expect(text).toContain('not for clinical use');
    expect(text).toContain('roc.svg');
    expect(text).toContain('training-curves.svg');
  }
  for (const svg of ['roc.svg', 'roc-study.svg', 'stage-confusion.svg', 'stage-confusion-study.svg', 'reliability.svg', 'training-curves.svg']) {
    expect(fs.readFileSync(path.join(report, svg), 'utf8')).toMatch(/^<\?xml[^]*<\/svg>\s*$/);
  }
}, 90_000);

test('--split test evaluates the test patients of the split the manifest records; --json writes a file', async () => {
  const out = path.join(tmp, 'eval.json');
  const r = runCli(['evaluate', '--model', modelDir, '--data', data, '--engine', 'onnx', '--split', 'test', '--json', out, '--bootstrap', '200']);
  expect(r.status).toBe(0);
  expect(r.stdout).toBe('');
  const result = JSON.parse(fs.readFileSync(out, 'utf8')) as EvaluationResult;
  const expected = splitByPatient(await readDataset(data, { modality: 'ES' }), recordedSplit).test;
  expect(result.data.split).toEqual({ name: 'test', source: 'manifest', options: recordedSplit, patients: expected.personIds.length });
  expect(new Set(result.predictions.images.map((p) => p.personId))).toEqual(new Set(expected.personIds));
  expect(result.counts.images).toBe(expected.images.length);
}, 60_000);

test('--record writes the summary into the manifest, which stays valid', () => {
  const r = evaluate(['--split', 'all', '--record']);
  const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, 'manifest.json'), 'utf8')) as { evaluation: Record<string, unknown> };
  expect(manifest.evaluation).toEqual(
    expect.objectContaining({ split: 'all', data: data, imageAuroc: r.imageLevel.auroc.estimate === null ? null : Math.round(r.imageLevel.auroc.estimate * 1000) / 1000 }),
  );
  expect(String(manifest.evaluation.command)).toMatch(/^gastric-ai evaluate .*--record/);
  expect(() => readManifest(modelDir)).not.toThrow();
});
