/** `gastric-ai analyze` end to end on a synthetic study with a tiny model package: both engines, same numbers. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StudyAnalysis } from '../../src/domain/analysis';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { REPO_ROOT, runCli } from '../helpers/cli';
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
  const r = runCli(['analyze', '--in', path.join(studyDir, 'ENDO'), '--model', `test-es=${modelDir}`, '--engine', engine, '--json']);
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
  const r = runCli(['analyze', '--in', withJunk, '--model', `test-es=${modelDir}`, '--json']);
  expect(r.status).toBe(0);
  const a = JSON.parse(r.stdout) as StudyAnalysis;
  expect(a.images).toHaveLength(3);
  expect(a.skipped).toEqual([expect.objectContaining({ reason: expect.stringMatching(/notes\.txt: not readable as DICOM/) })]);
  const none = runCli(['analyze', '--in', path.join(studyDir, 'CT'), '--model', `test-es=${modelDir}`]);
  expect(none.status).not.toBe(0);
  expect(none.stderr).toMatch(/no rule matches its series \(CT/);
});

test('a real Secondary Capture endoscopy still with modality OT is read by the ES model when routed there, and only then', () => {
  // NEMA WG04 VL2_UNC: an EGD still of a prepyloric ulcer, Secondary Capture, Modality OT, 756x486 RGB.
  const still = path.join(tmp, 'still');
  fs.mkdirSync(still, { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, '..', 'shared', 'data', 'dicom', 'nema-wg04', 'REF', 'VL2_UNC'), path.join(still, 'VL2_UNC'));

  const unrouted = runCli(['analyze', '--in', still, '--model', `test-es=${modelDir}`]);
  expect(unrouted.status).not.toBe(0);
  expect(unrouted.stderr).toMatch(/no rule matches its series \(OT\)/);

  const byModality = runCli(['analyze', '--in', still, '--model', `test-es=${modelDir}`, '--modality', 'OT', '--json']);
  expect(byModality.status).toBe(0);
  const a = JSON.parse(byModality.stdout) as StudyAnalysis;
  expect(a.images).toEqual([expect.objectContaining({ modelId: 'test-es', sopClassUid: '1.2.840.10008.5.1.4.1.1.7' })]);
  expect(a.models.map((m) => m.id)).toEqual(['test-es']);

  // The node's way: a routing rule on SOP class and calling AE (the same rule file the node would run).
  const config = path.join(tmp, 'tower.json');
  fs.writeFileSync(config, JSON.stringify({ inference: { models: [{ id: 'test-es', dir: modelDir }] }, routing: { rules: [{ callingAet: 'ENDO_TOWER', sopClassUid: '1.2.840.10008.5.1.4.1.1.7', model: 'test-es' }] } }));
  const byRule = runCli(['analyze', '--in', still, '--config', config, '--calling-aet', 'ENDO_TOWER', '--json']);
  expect(byRule.status).toBe(0);
  expect((JSON.parse(byRule.stdout) as StudyAnalysis).images[0]).toMatchObject({ modelId: 'test-es', cancerProbability: a.images[0].cancerProbability });
  expect(runCli(['analyze', '--in', still, '--config', config, '--calling-aet', 'OTHER']).status).not.toBe(0);

  expect(runCli(['analyze', '--in', still, '--model', `es-demo=${modelDir}`]).stderr).toMatch(/that package is model test-es/);
});
