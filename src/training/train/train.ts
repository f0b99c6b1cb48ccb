/**
 * `gastric-ai train`: dataset in the seed layout → patient split → tensor caches made by the serving preprocessing →
 * the whole ResNet50 trained by the Python trainer (PyTorch, trainer/) → its weights in our TF.js ResNet50 →
 * Platt calibration on validation → model package (TF.js weights + the ONNX graph from our exporter).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { defaultPreprocessSpec } from '../../imaging/preprocess';
import { initTfjsBackend } from '../../inference/engines/tfjs-backend';
import { ARCHITECTURES, buildGastricResNet50, ResNetVariant } from '../../inference/model/resnet50';
import { loadModel } from '../../inference/model/weights-io';
import { ModelManifest } from '../../inference/package/manifest';
import { writeModelPackage } from '../../inference/package/write';
import type { TestTimeAugmentation } from '../../inference/tta';
import { DEFAULT_AUGMENT_POLICY } from '../dataset/augment-policy';
import { readDataset } from '../dataset/reader';
import { splitByPatient } from '../dataset/split';
import { writeTensorCache } from '../cache/tensor-cache';
import { checkTorch } from '../torch/python';
import { EpochRecord, TrainerConfig } from '../torch/trainer-config';
import { runTrainer } from '../torch/trainer-process';
import { applyExchangeWeights, exchangeVariant, hasExchangeWeights, readExchangeWeights, writeExchangeWeights } from '../torch/weights-exchange';
import { calibrateAsServed, calibrateHead } from './serving-calibration';
import type { Modality } from '../../domain/modality';

/** The trainer's own settings pass through unchanged (trainer-config.ts documents them). */
type TrainerSettings = Pick<TrainerConfig, 'epochs' | 'batch' | 'learningRate' | 'weightDecay' | 'optimizer' | 'warmupEpochs' | 'locationWeight' | 'stageWeight' | 'patience' | 'seed' | 'device' | 'threads'>;

export interface TrainOptions extends TrainerSettings {
  data: string;
  modality: Modality;
  out: string;
  id: string;
  version: string;
  size: number;
  /** A torchvision ResNet50 state_dict (.pth/.pt), a TF.js LayersModel folder with Keras names, or a weights folder. */
  init: string | null;
  /** Views the served model reads each image in; thresholds are calibrated in them (default: one view). */
  testTimeAugmentation: TestTimeAugmentation;
  split: { train: number; validation: number; test: number };
  resume: boolean;
  /** The command line, recorded in the manifest. */
  command: string;
  log: (line: string, final: boolean) => void;
}

export interface TrainResult {
  manifest: ModelManifest;
  history: EpochRecord[];
  bestEpoch: number;
}

/** Turns --init into what the trainer reads, and the ResNet50 layout those weights have. */
async function initWeights(init: string | null, convertedDir: string): Promise<{ config: TrainerConfig['init']; variant: ResNetVariant }> {
  if (init === null) return { config: null, variant: 'v1.5' };
  if (!fs.existsSync(init)) throw new Error(`--init ${init}: no such file or folder`);
  if (fs.statSync(init).isFile()) return { config: { kind: 'torchvision', path: init }, variant: 'v1.5' };
  if (hasExchangeWeights(init)) return { config: { kind: 'exchange', path: init }, variant: exchangeVariant(init) };
  if (!fs.existsSync(path.join(init, 'model.json'))) throw new Error(`--init ${init}: expected a .pth file, a TF.js LayersModel folder (model.json) or a weights.json folder`);
  const source = await loadModel(init);
  try {
    source.getLayer('conv1_conv');
  } catch {
    throw new Error(`--init ${init}: no layer conv1_conv (Keras ResNet50 layer names expected)`);
  }
  const variant = writeExchangeWeights(convertedDir, source);
  source.dispose();
  return { config: { kind: 'exchange', path: convertedDir }, variant };
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  const startedAt = new Date().toISOString();
  const torch = checkTorch();
  const index = await readDataset(o.data, { modality: o.modality });
  const split = splitByPatient(index, { ...o.split, seed: o.seed });
  o.log(`data: ${index.images.length} ${o.modality} images of ${index.patients.length} patients; split train/validation/test ${split.summary.train.images}/${split.summary.validation.images}/${split.summary.test.images} images (by patient)`, true);
  if (split.train.images.length === 0 || split.validation.images.length === 0) throw new Error('too few patients for a train and a validation split');

  const workDir = path.join(o.out, 'checkpoint');
  fs.mkdirSync(workDir, { recursive: true });
  const spec = defaultPreprocessSpec(o.modality, o.size);
  const progress = (label: string) => (done: number, total: number) => o.log(`${label}: ${done}/${total} images`, done === total);
  const trainCache = await writeTensorCache(path.join(workDir, 'cache-train'), split.train.images, spec, progress('preprocess (train)'));
  const validationCache = await writeTensorCache(path.join(workDir, 'cache-validation'), split.validation.images, spec, progress('preprocess (validation)'));
  const initDir = path.join(workDir, 'init-weights');
  const { config: init, variant } = await initWeights(o.init, initDir);

  const weightsDir = path.join(workDir, 'trained');
  const runKey = createHash('sha256')
    .update(JSON.stringify({ ...o, log: undefined, resume: undefined, command: undefined, out: undefined, epochs: undefined, patience: undefined, device: undefined, threads: undefined }))
    .digest('hex');
  const config: TrainerConfig = {
    trainCache: trainCache.dir,
    validationCache: validationCache.dir,
    out: weightsDir,
    checkpointDir: workDir,
    runKey,
    resume: o.resume,
    variant,
    init,
    epochs: o.epochs,
    batch: o.batch,
    learningRate: o.learningRate,
    weightDecay: o.weightDecay,
    optimizer: o.optimizer,
    warmupEpochs: o.warmupEpochs,
    locationWeight: o.locationWeight,
    stageWeight: o.stageWeight,
    patience: o.patience,
    seed: o.seed,
    device: o.device,
    threads: o.threads,
    augment: DEFAULT_AUGMENT_POLICY[o.modality],
  };
  const fmt = (v: number | null): string => v?.toFixed(3) ?? '-';
  const done = await runTrainer(path.join(workDir, 'trainer-config.json'), config, {
    onStart: (e) => o.log(`trainer: PyTorch ${e.torch} on ${e.device}; ${e.trainImages} train / ${e.validationImages} validation images, ${e.steps} steps per epoch; weights ${e.initialisation}`, true),
    onStep: (e) => o.log(`epoch ${e.epoch}/${e.epochs} ${'#'.repeat(Math.round((e.step / e.steps) * 20)).padEnd(20, '.')} ${e.step}/${e.steps} loss ${e.loss.toFixed(4)}`, false),
    onEpoch: ({ record: r, best }) => o.log(`epoch ${r.epoch}/${o.epochs} train loss ${r.trainLoss.toFixed(4)} AUROC ${fmt(r.trainMetric)} | validation loss ${r.validationLoss.toFixed(4)} AUROC ${fmt(r.validationMetric)}${best ? ' (best)' : ''}`, true),
    onLog: (message) => o.log(message, true),
  });

  await initTfjsBackend();
  const model = buildGastricResNet50({ inputSize: o.size, variant });
  applyExchangeWeights(model, readExchangeWeights(weightsDir));
  // Calibrate on validation (natural prevalence) what balanced training skewed; thresholds come from calibrated numbers.
  // With test-time views the validation images are read again as served (serving-calibration.ts).
  const tta = o.testTimeAugmentation;
  const { platt, points } =
    tta === 'none'
      ? calibrateHead(model, validationCache.samples.map((s) => s.cancer), done.validationProbabilities)
      : await calibrateAsServed(model, split.validation.images, { spec, testTimeAugmentation: tta, root: o.data, threads: o.threads, onProgress: progress(`calibration (${tta} views)`) });
  const synthetic = fs.existsSync(path.join(o.data, 'synthetic-manifest.json'));
  const manifest = await writeModelPackage(o.out, model, {
    id: o.id,
    version: o.version,
    modality: o.modality,
    architecture: ARCHITECTURES[variant],
    input: { size: o.size, layout: 'NHWC', mean: spec.mean, std: spec.std, cropToFieldOfView: spec.cropToFieldOfView, fixedCrop: spec.fixedCrop },
    heads: { cancer: ['normal', 'cancer'], stage: ['I', 'II', 'III', 'IV'] },
    thresholds: { image: points[0]?.threshold ?? 0.5, localisation: 0.5, urgent: 0.8, suspicious: 0.5 },
    operatingPoints: points,
    studyAggregation: { rule: 'top-k-mean', k: 3 },
    testTimeAugmentation: tta,
    training: {
      data: synthetic ? 'synthetic' : 'real',
      command: o.command,
      startedAt,
      finishedAt: new Date().toISOString(),
      trained: `all layers (whole ResNet50 ${variant}) by PyTorch on ${done.device}; best epoch ${done.bestEpoch} of ${done.history.length}${done.resumedFrom !== null ? `, resumed after epoch ${done.resumedFrom + 1}` : ''}; cancer probability Platt-calibrated on validation${tta === 'none' ? '' : ` read in the ${tta} views`} (scale ${platt.scale.toFixed(3)}, offset ${platt.offset.toFixed(3)})`,
      // A TF.js --init folder reaches the trainer converted inside the work folder: name the user's folder instead.
      backboneInit: init?.path === initDir ? done.initialisation.split(initDir).join(`TF.js model ${o.init}`) : done.initialisation,
      epochs: done.history.length,
      engine: { name: 'pytorch', torch: torch.torch, torchvision: torch.torchvision, device: done.device, trainImagesPerSecond: done.trainImagesPerSecond, inferenceImagesPerSecond: done.inferenceImagesPerSecond },
      dataset: { root: path.resolve(o.data), patients: index.patients.length, images: index.images.length, split: { ...o.split, seed: o.seed }, summary: split.summary, locationWeight: o.locationWeight, augmentation: DEFAULT_AUGMENT_POLICY[o.modality] },
    },
    evaluation: null,
    notForClinicalUse: synthetic,
    intendedUse: synthetic
      ? 'Demonstration model trained on synthetic data - not for clinical use.'
      : 'Research use on the hospital collection it was trained on; not a medical device.',
  });
  fs.writeFileSync(path.join(o.out, 'training-history.json'), `${JSON.stringify(done.history, null, 2)}\n`);
  model.dispose();
  return { manifest, history: done.history, bestEpoch: done.bestEpoch };
}
