/** `gastric-ai analyze` end to end on a synthetic study with a tiny model package: both engines, same numbers. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StudyAnalysis } from '../../src/domain/analysis';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { runCli } from '../helpers/cli';
import { writeTestModelPackage } from '../helpers/model-package';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-analyze-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let studyDir: string;
const modelDir = path.join(tmp, 'model-es');

beforeAll(async () => {
  const data = path.join(tmp, 'data');
  fs.mkdirSync(data);
  const summary = generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out: data, seed: 12, patients: 1, normalFraction: 0, jpeg: true, modalities: ['ES', 'CT'], endoscopyImages: 3, ctSlices: 2 });
  studyDir = path.join(data, path.dirname(summary.patients[0].studies[0].folder)); // the patient folder: ENDO + CT
  await writeTestModelPackage(modelDir, 'ES');
}, 300_000);

function analyze(engine: string): StudyAnalysis {
  const r = runCli(['analyze', '--in', path.join(studyDir, 'ENDO'), '--model', `ES=${modelDir}`, '--engine', engine, '--json']);
  if (r.status !== 0) throw new Error(`analyze failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as StudyAnalysis;
}

test('analysis JSON: every image scored and localised, study conclusion, timings, provenance', () => {
  const a = analyze('onnx');
  expect(a.images).toHaveLength(3);
  expect(a.models).toEqual([expect.objectContaining({ id: 'test-es', modality: 'ES', synthetic: true })]);
  expect(a.notForClinicalUse).toBe(true);
  for (const image of a.images) {
    expect(image.cancerProbability).toBeGreaterThanOrEqual(0);
    expect(image.cancerProbability).toBeLessThanOrEqual(1);
    expect(image.stageProbabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 4);
  }
  const top3 = a.images.map((i) => i.cancerProbability).sort((x, y) => y - x);
  expect(a.cancerProbability).toBeCloseTo((top3[0] + top3[1] + top3[2]) / 3, 6);
  expect(['urgent', 'suspicious', 'routine']).toContain(a.priority);
  expect(a.timings.totalMs).toBeGreaterThan(0);
  expect(a.timings.inferMs).toBeGreaterThan(0);
});

test('the onnx and tfjs engines give the same analysis within 1e-4', () => {
  const onnx = analyze('onnx');
  const tfjs = analyze('tfjs');
  onnx.images.forEach((image, i) => {
    expect(Math.abs(image.cancerProbability - tfjs.images[i].cancerProbability)).toBeLessThan(1e-4);
    image.stageProbabilities.forEach((p, s) => expect(Math.abs(p - tfjs.images[i].stageProbabilities[s])).toBeLessThan(1e-4));
  });
});

test('unreadable files are skipped with the reason; a study with nothing to analyse is an error naming why', () => {
  const withJunk = path.join(tmp, 'with-junk');
  fs.cpSync(path.join(studyDir, 'ENDO'), withJunk, { recursive: true });
  fs.writeFileSync(path.join(withJunk, 'notes.txt'), 'not DICOM');
  const r = runCli(['analyze', '--in', withJunk, '--model', `ES=${modelDir}`, '--json']);
  expect(r.status).toBe(0);
  const a = JSON.parse(r.stdout) as StudyAnalysis;
  expect(a.images).toHaveLength(3);
  expect(a.skipped).toEqual([expect.objectContaining({ reason: expect.stringMatching(/notes\.txt: not readable as DICOM/) })]);
  const none = runCli(['analyze', '--in', path.join(studyDir, 'CT'), '--model', `ES=${modelDir}`]);
  expect(none.status).not.toBe(0);
  expect(none.stderr).toMatch(/no analysable image .*no model for modality CT/);
});
