/**
 * `gastric-ai train`: dataset in the seed layout → patient split → ResNet50 (random or --init weights; BatchNorm
 * statistics from data when random) → feature cache up to the trainable boundary → tail training → model package.
 * On CPU only the tail is trained (heads, the last block or the last stage); full training is a GPU job.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { readPart10File } from '../../dicom/io';
import { decodeFrame } from '../../imaging/decode';
import { defaultPreprocessSpec, preprocess } from '../../imaging/preprocess';
import { initTfjsBackend } from '../../inference/engines/tfjs-backend';
import { buildGastricResNet50 } from '../../inference/model/resnet50';
import { loadModel } from '../../inference/model/weights-io';
import { exportOnnx } from '../../inference/onnx/export';
import { ModelManifest } from '../../inference/package/manifest';
import { writeModelPackage } from '../../inference/package/write';
import type { TestTimeAugmentation } from '../../inference/tta';
import { createRng } from '../../synth/rng';
import { DEFAULT_AUGMENT_POLICY, viewsTrainedWith } from '../dataset/augment';
import { readDataset } from '../dataset/reader';
import { splitByPatient } from '../dataset/split';
import { calibrateBatchNorm } from './calibrate';
import { calibrateAsServed, calibrateHead } from './serving-calibration';
import { cacheFeatures, TrunkRunner } from './features';
import { trainTail, EpochRecord } from './loop';
import { buildTail, buildTrunk, copyTailWeights, Trainable, TRAINABLE_BOUNDARY } from './tail';
import { registerWasmConv2DBackpropFilter } from '../wasm-conv-grad';
import { registerWasmConv2DBackpropInput } from '../wasm-conv-input-grad';
import type { Modality } from '../../domain/modality';

export interface TrainOptions {
  data: string;
  modality: Modality;
  out: string;
  id: string;
  version: string;
  size: number;
  epochs: number;
  batch: number;
  learningRate: number;
  trainable: Trainable;
  /** Folder of a TF.js LayersModel with Keras ResNet50 layer names (e.g. converted ImageNet weights), or null. */
  init: string | null;
  augmentCopies: number;
  /** Views the served model reads each image in (null: those the modality's augmentation policy trains with). */
  testTimeAugmentation: TestTimeAugmentation | null;
  locationWeight: number;
  patience: number;
  split: { train: number; validation: number; test: number };
  seed: number;
  threads: number;
  resume: boolean;
  /** The command line, recorded in the manifest. */
  command: string;
  log: (line: string, final: boolean) => void;
}

/** Loads weights by layer name from another LayersModel folder (shapes must match). */
async function initFrom(model: tf.LayersModel, dir: string): Promise<number> {
  const source = await loadModel(dir);
  let loaded = 0;
  for (const layer of source.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    let target: tf.layers.Layer;
    try {
      target = model.getLayer(layer.name);
    } catch {
      continue; // e.g. an ImageNet classifier head
    }
    const shapes = target.getWeights().map((w) => w.shape.join('x'));
    if (shapes.join() !== weights.map((w) => w.shape.join('x')).join()) throw new Error(`--init ${dir}: layer ${layer.name} has shapes ${weights.map((w) => w.shape.join('x')).join(', ')}, expected ${shapes.join(', ')}`);
    target.setWeights(weights);
    loaded++;
  }
  source.dispose();
  if (loaded === 0) throw new Error(`--init ${dir}: no layer names match the ResNet50 (Keras names such as conv1_conv expected)`);
  return loaded;
}

export interface TrainResult {
  manifest: ModelManifest;
  history: EpochRecord[];
  bestEpoch: number;
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  const startedAt = new Date().toISOString();
  const backend = await initTfjsBackend();
  // wasm has no filter-gradient kernel of its own; training any convolution there needs ours.
  if (backend === 'wasm') registerWasmConv2DBackpropFilter();
  if (backend === 'wasm') registerWasmConv2DBackpropInput();
  const index = await readDataset(o.data, { modality: o.modality });
  const split = splitByPatient(index, { ...o.split, seed: o.seed });
  o.log(`data: ${index.images.length} ${o.modality} images of ${index.patients.length} patients; split train/validation/test ${split.summary.train.images}/${split.summary.validation.images}/${split.summary.test.images} images (by patient)`, true);
  if (split.train.images.length === 0 || split.validation.images.length === 0) throw new Error('too few patients for a train and a validation split');

  const spec = defaultPreprocessSpec(o.modality, o.size);
  const model = buildGastricResNet50({ inputSize: o.size, seed: o.seed });
  let backboneInit = `random (He uniform, seed ${o.seed}), BatchNorm statistics from 16 training images`;
  if (o.init) {
    const n = await initFrom(model, o.init);
    backboneInit = `${n} layers from ${o.init}`;
  } else {
    const rng = createRng(o.seed);
    const picks = Array.from({ length: Math.min(16, split.train.images.length) }, () => split.train.images[rng.int(0, split.train.images.length - 1)]);
    const inputs = await Promise.all(picks.map(async (image) => {
      const part10 = readPart10File(image.dicomPath);
      return preprocess(await decodeFrame(part10, 0), part10.dataset, spec).data;
    }));
    const batch = tf.tensor4d(Float32Array.from(inputs.flatMap((x) => Array.from(x))), [inputs.length, o.size, o.size, 3]);
    calibrateBatchNorm(model, batch);
    batch.dispose();
  }

  const boundary = TRAINABLE_BOUNDARY[o.trainable];
  const trunk = await TrunkRunner.create(exportOnnx(buildTrunk(model, boundary)), o.size, o.threads);
  const rng = createRng(o.seed + 1);
  const progress = (label: string) => (done: number, total: number) => o.log(`${label}: ${done}/${total} images`, done === total);
  const [, gridHeight, gridWidth] = (model.getLayer('features').output as tf.SymbolicTensor).shape as number[];
  const cacheOpts = { spec, labelGrid: { height: gridHeight, width: gridWidth }, policy: DEFAULT_AUGMENT_POLICY[o.modality], rng, batch: 8, threads: o.threads };
  const trainCache = await cacheFeatures(split.train.images, trunk, { ...cacheOpts, copies: o.augmentCopies, onProgress: progress('features (train)') });
  const valCache = await cacheFeatures(split.validation.images, trunk, { ...cacheOpts, copies: 1, onProgress: progress('features (validation)') });
  await trunk.dispose();

  const tail = buildTail(model, boundary);
  const runKey = createHash('sha256').update(JSON.stringify({ ...o, log: undefined, resume: undefined, command: undefined, out: undefined, epochs: undefined, patience: undefined })).digest('hex');
  const result = await trainTail(tail, trainCache.shape, trainCache.samples, valCache.samples, {
    epochs: o.epochs,
    batch: o.batch,
    learningRate: o.learningRate,
    locationWeight: o.locationWeight,
    patience: o.patience,
    seed: o.seed,
    checkpointDir: path.join(o.out, 'checkpoint'),
    runKey,
    resume: o.resume,
    onProgress: o.log,
  });
  copyTailWeights(tail, model);
  tail.dispose();

  // Calibrate on validation (natural prevalence) what balanced training skewed; thresholds come from calibrated numbers.
  // With test-time views the validation images are read again as served (serving-calibration.ts).
  const tta = o.testTimeAugmentation ?? viewsTrainedWith(DEFAULT_AUGMENT_POLICY[o.modality]);
  const { platt, points } =
    tta === 'none'
      ? calibrateHead(model, valCache.samples.map((s) => s.cancer), result.validationProbabilities)
      : await calibrateAsServed(model, split.validation.images, { spec, testTimeAugmentation: tta, root: o.data, threads: o.threads, onProgress: progress(`calibration (${tta} views)`) });
  const synthetic = fs.existsSync(path.join(o.data, 'synthetic-manifest.json'));
  const manifest = await writeModelPackage(o.out, model, {
    id: o.id,
    version: o.version,
    modality: o.modality,
    architecture: 'resnet50',
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
      trained: `${o.trainable} (layers after ${boundary}) on ${backend}; best epoch ${result.bestEpoch} of ${result.history.length}${result.resumedFrom !== null ? `, resumed after epoch ${result.resumedFrom + 1}` : ''}; cancer probability Platt-calibrated on validation${tta === 'none' ? '' : ` read in the ${tta} views`} (scale ${platt.scale.toFixed(3)}, offset ${platt.offset.toFixed(3)})`,
      backboneInit,
      epochs: result.history.length,
      dataset: { root: path.resolve(o.data), patients: index.patients.length, images: index.images.length, split: { ...o.split, seed: o.seed }, summary: split.summary, augmentCopies: o.augmentCopies, locationWeight: o.locationWeight },
    },
    evaluation: null,
    notForClinicalUse: synthetic,
    intendedUse: synthetic
      ? 'Demonstration model trained on synthetic data - not for clinical use.'
      : 'Research use on the hospital collection it was trained on; not a medical device.',
  });
  fs.writeFileSync(path.join(o.out, 'training-history.json'), `${JSON.stringify(result.history, null, 2)}\n`);
  model.dispose();
  return { manifest, history: result.history, bestEpoch: result.bestEpoch };
}
