/**
 * `gastric-ai train` on a tiny synthetic dataset (64 px, one or two epochs of a few steps, PyTorch on the CPU): the
 * whole ResNet50 trained into a valid package with history and operating points, resumable from its checkpoint,
 * usable by `analyze`; --init from a torchvision state_dict and from a TF.js package; a trainer failure reaches the
 * user as one line; malformed labels fail with the file name.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readManifest } from '../../src/inference/package/load';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { runCli } from '../helpers/cli';
import { writeTestModelPackage } from '../helpers/model-package';
import { listFiles } from '../helpers/synth-files';
import { checkTorch, trainerCommand } from '../../src/training/torch/python';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-train-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const data = path.join(tmp, 'data');

beforeAll(() => {
  fs.mkdirSync(data);
  generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out: data, seed: 31, patients: 10, normalFraction: 0.2, jpeg: true, modalities: ['ES'], endoscopyImages: 4 });
});

const trainArgs = (out: string, epochs: number): string[] => ['train', '--data', data, '--modality', 'ES', '--out', out, '--size', '64', '--epochs', String(epochs), '--batch', '8', '--split', '0.6,0.2,0.2', '--seed', '3', '--device', 'cpu'];

test('trains the whole ResNet50 into a valid, resumable package that analyze can use', () => {
  const out = path.join(tmp, 'es-test');
  const first = runCli(trainArgs(out, 1));
  expect(first.stderr).toMatch(/trainer: PyTorch \S+ on cpu; \d+ train \/ \d+ validation images/);
  expect(first.stderr).toMatch(/epoch 1\/1 train loss/);
  expect(first.status).toBe(0);
  const resumed = runCli([...trainArgs(out, 2), '--resume']);
  expect(resumed.status).toBe(0);
  expect(resumed.stderr).not.toMatch(/epoch 1\/2/); // epoch 1 came from the checkpoint
  expect(resumed.stderr).toMatch(/epoch 2\/2 train loss/);
  expect(resumed.stderr).not.toMatch(/preprocess \(train\)/); // the tensor cache was reused

  const manifest = readManifest(out);
  expect(manifest.training.data).toBe('synthetic');
  expect(manifest.notForClinicalUse).toBe(true);
  expect(manifest.architecture).toBe('resnet50-v1.5');
  expect(manifest.training.trained).toMatch(/^all layers \(whole ResNet50 v1.5\) by PyTorch on cpu; best epoch \d of 2, resumed after epoch 1/);
  expect(manifest.training.engine).toMatchObject({ name: 'pytorch', device: 'cpu' });
  expect(manifest.training.engine?.trainImagesPerSecond).toBeGreaterThan(0);
  expect(manifest.training.command).toMatch(/^gastric-ai train /);
  expect(manifest.training.dataset).toMatchObject({ patients: 10, images: 40 });
  const history = JSON.parse(fs.readFileSync(path.join(out, 'training-history.json'), 'utf8'));
  expect(history.map((h: { epoch: number }) => h.epoch)).toEqual([1, 2]);
  expect(manifest.thresholds.image).toBeGreaterThan(0);
  // Served in one view unless --tta says otherwise; calibrated on the trainer's validation probabilities.
  expect(manifest.testTimeAugmentation).toBe('none');
  expect(manifest.training.trained).toMatch(/Platt-calibrated on validation \(scale/);

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

/** A file in torchvision's own state_dict format, from its random initialisation (no ImageNet weights here). */
function torchvisionStateDict(file: string): void {
  const c = trainerCommand([]);
  const code = `import torch, torchvision; torch.manual_seed(0); torch.save(torchvision.models.resnet50(weights=None).state_dict(), ${JSON.stringify(file)})`;
  const r = spawnSync(c.command, ['-c', code], { ...c.options, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}

test('--init takes a torchvision state_dict (.pth) and a TF.js package with Keras names', () => {
  const pth = path.join(tmp, 'resnet50-random.pth');
  torchvisionStateDict(pth);
  const fromPth = path.join(tmp, 'es-pth');
  const r = runCli([...trainArgs(fromPth, 1), '--init', pth]);
  expect(r.stderr).toMatch(/weights torchvision state_dict .*resnet50-random\.pth \(318 tensors, heads fresh\)/);
  expect(r.status).toBe(0);
  expect(readManifest(fromPth).training.backboneInit).toMatch(/^torchvision state_dict /);

  const fromPackage = path.join(tmp, 'es-from-package');
  const f = runCli([...trainArgs(fromPackage, 1), '--init', path.join(tmp, 'es-test')]);
  expect(f.status).toBe(0);
  expect(readManifest(fromPackage).training.backboneInit).toMatch(/^\d+ Keras-named layers from /);
});

test('a trainer failure is one clear line, not a Python traceback, and leaves no package', () => {
  const garbage = path.join(tmp, 'garbage.pth');
  fs.writeFileSync(garbage, 'not a checkpoint');
  const out = path.join(tmp, 'never-pth');
  const bad = runCli([...trainArgs(out, 1), '--init', garbage]);
  expect(bad.status).not.toBe(0);
  expect(bad.stderr).toMatch(/trainer: --init .*garbage\.pth: cannot read it as a PyTorch state_dict/);
  expect(bad.stderr).not.toMatch(/Traceback|File ".*\.py"/);
  expect(fs.existsSync(path.join(out, 'manifest.json'))).toBe(false);

  if (checkTorch().cuda) return; // the next refusal is for hosts without a GPU, like CI
  const cuda = runCli([...trainArgs(out, 1).filter((a) => a !== 'cpu' && a !== '--device'), '--device', 'cuda']);
  expect(cuda.status).not.toBe(0);
  expect(cuda.stderr).toMatch(/--device cuda: PyTorch sees no CUDA device/);
});
