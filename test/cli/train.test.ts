/**
 * `gastric-ai train` on a tiny synthetic dataset (64 px, a few epochs): a valid model package with history and
 * operating points, resumable from its checkpoint, usable by `analyze`; malformed labels fail with the file name.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readManifest } from '../../src/inference/package/load';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { runCli } from '../helpers/cli';
import { writeTestModelPackage } from '../helpers/model-package';
import { listFiles } from '../helpers/synth-files';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-train-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const data = path.join(tmp, 'data');

beforeAll(() => {
  fs.mkdirSync(data);
  generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out: data, seed: 31, patients: 10, normalFraction: 0.2, jpeg: true, modalities: ['ES'], endoscopyImages: 4 });
});

const trainArgs = (out: string, epochs: number): string[] => ['train', '--data', data, '--modality', 'ES', '--out', out, '--size', '64', '--epochs', String(epochs), '--batch', '8', '--trainable', 'block', '--split', '0.6,0.2,0.2', '--seed', '3'];

test('trains the last block and heads into a valid, resumable package that analyze can use', () => {
  const out = path.join(tmp, 'es-test');
  const first = runCli(trainArgs(out, 1));
  expect(first.stderr).toMatch(/epoch 1\/1 train loss/);
  expect(first.status).toBe(0);
  const resumed = runCli([...trainArgs(out, 2), '--resume']);
  expect(resumed.status).toBe(0);
  expect(resumed.stderr).not.toMatch(/epoch 1\/2/); // epoch 1 came from the checkpoint
  expect(resumed.stderr).toMatch(/epoch 2\/2 train loss/);

  const manifest = readManifest(out);
  expect(manifest.training.data).toBe('synthetic');
  expect(manifest.notForClinicalUse).toBe(true);
  expect(manifest.training.trained).toMatch(/^block .*resumed after epoch 1/);
  expect(manifest.training.command).toMatch(/^gastric-ai train /);
  expect(manifest.training.dataset).toMatchObject({ patients: 10, images: 40 });
  const history = JSON.parse(fs.readFileSync(path.join(out, 'training-history.json'), 'utf8'));
  expect(history.map((h: { epoch: number }) => h.epoch)).toEqual([1, 2]);
  expect(manifest.thresholds.image).toBeGreaterThan(0);
  // ES trains with every flip and quarter turn, so it is served (and calibrated) in those 8 views.
  expect(manifest.testTimeAugmentation).toBe('dihedral');
  expect(manifest.training.trained).toMatch(/Platt-calibrated on validation read in the dihedral views/);
  expect(resumed.stderr).toMatch(/calibration \(dihedral views\): \d+\/\d+ images/);

  const study = path.dirname(listFiles(data, '.dcm')[0]);
  const analysis = runCli(['analyze', '--in', study, '--model', `es-test=${out}`, '--json']);
  expect(analysis.status).toBe(0);
  expect(JSON.parse(analysis.stdout).models[0]).toMatchObject({ id: 'es-test', deviceUid: manifest.deviceUid, synthetic: true });
});

test('calibrate re-fits the package for other views on its own validation patients; a package without a split is refused', async () => {
  const out = path.join(tmp, 'es-recal');
  fs.cpSync(path.join(tmp, 'es-test'), out, { recursive: true });
  const before = readManifest(out);
  const r = runCli(['calibrate', '--model', out, '--data', data, '--tta', 'flips']);
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/calibration \(flips views\): \d+\/\d+ images/);
  const after = readManifest(out);
  expect(after.testTimeAugmentation).toBe('flips');
  expect(after.deviceUid).not.toBe(before.deviceUid); // the head absorbed the fit
  expect(after.thresholds.image).toBe(after.operatingPoints[0].threshold);
  expect(after.evaluation).toBeNull();
  expect(after.training.trained).toMatch(/recalibrated on \d+ validation images read in the flips views .*gastric-ai calibrate/);
  expect(JSON.parse(r.stdout)).toMatchObject({ deviceUid: after.deviceUid, testTimeAugmentation: 'flips' });

  const bare = path.join(tmp, 'no-split');
  await writeTestModelPackage(bare, 'ES');
  const refused = runCli(['calibrate', '--model', bare, '--data', data]);
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toMatch(/records no training split/);
});

test('a malformed label stops training with the label file named', () => {
  const broken = path.join(tmp, 'broken');
  fs.cpSync(data, broken, { recursive: true });
  const label = listFiles(broken, '.json').find((f) => f.includes('라벨링데이터')) as string;
  const json = JSON.parse(fs.readFileSync(label, 'utf8'));
  json.annotations = [{ category: 'cancer', label_type: 'polygon', polygon: [[1, 1], [5000, 1], [1, 3]] }];
  fs.writeFileSync(label, JSON.stringify(json));
  const r = runCli(trainArgs(path.join(tmp, 'never'), 1).map((a) => (a === data ? broken : a)));
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain(path.basename(label));
  expect(fs.existsSync(path.join(tmp, 'never', 'manifest.json'))).toBe(false);
});

test('--trainable stage trains all of conv5 from cached conv4 features (location labels on the coarser final grid)', () => {
  const out = path.join(tmp, 'es-stage');
  const r = runCli(['train', '--data', data, '--modality', 'ES', '--out', out, '--size', '64', '--epochs', '1', '--batch', '8', '--trainable', 'stage', '--split', '0.6,0.2,0.2', '--augment-copies', '1', '--tta', 'none']);
  expect(r.stderr).toMatch(/epoch 1\/1 train loss/);
  expect(r.status).toBe(0);
  const manifest = readManifest(out);
  expect(manifest.training.trained).toMatch(/^stage \(layers after conv4_block6_out\)/);
  expect(manifest.testTimeAugmentation).toBe('none');
  expect(manifest.training.trained).toMatch(/Platt-calibrated on validation \(scale/);
});
