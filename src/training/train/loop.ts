/**
 * The training loop over cached features: balanced batches, augmentation already in the cache, three losses
 * (cancer, stage on staged cancer images only, per-location cancer on the CAM so localisation is learned from the
 * label polygons), validation AUROC each epoch, early stopping, and a checkpoint after every epoch for --resume.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../synth/rng';
import { createBalancedSampler } from '../dataset/balance';
import { auroc } from '../metrics';
import { calibrateBatchNorm } from './calibrate';
import { CachedSample, FeatureShape } from './features';

export interface LoopOptions {
  epochs: number;
  batch: number;
  learningRate: number;
  /** Weight of the per-location loss (0 disables it). */
  locationWeight: number;
  patience: number;
  seed: number;
  checkpointDir: string;
  /** Identifies the run; a checkpoint from another run is not resumed. */
  runKey: string;
  resume: boolean;
  onProgress?: (line: string, final: boolean) => void;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
  trainMetric: number | null;
  validationMetric: number | null;
}

export interface LoopResult {
  history: EpochRecord[];
  bestEpoch: number;
  /** Validation cancer probabilities of the best weights, in validation order. */
  validationProbabilities: number[];
  resumedFrom: number | null;
}

interface CheckpointState {
  runKey: string;
  epoch: number;
  bestEpoch: number;
  bestMetric: number;
  history: EpochRecord[];
  weightShapes: number[][];
}

function stack(samples: CachedSample[], shape: FeatureShape): { x: tf.Tensor4D; cancer: tf.Tensor1D; stage: tf.Tensor1D; locations: tf.Tensor2D } {
  const per = shape.height * shape.width * shape.channels;
  // Location labels live on the final feature grid, which may be coarser than the cached boundary features.
  const cells = samples[0].locations.length;
  const x = new Float32Array(samples.length * per);
  const loc = new Float32Array(samples.length * cells);
  samples.forEach((s, i) => {
    x.set(s.features, i * per);
    loc.set(s.locations, i * cells);
  });
  return {
    x: tf.tensor4d(x, [samples.length, shape.height, shape.width, shape.channels]),
    cancer: tf.tensor1d(samples.map((s) => s.cancer), 'int32'),
    stage: tf.tensor1d(samples.map((s) => s.stage), 'int32'),
    locations: tf.tensor2d(loc, [samples.length, cells]),
  };
}

/** Mean negative log-likelihood of `labels` under softmax `probs`, over rows where mask is 1. */
function nll(probs: tf.Tensor2D, labels: tf.Tensor1D, classes: number, mask?: tf.Tensor1D): tf.Scalar {
  const picked = tf.sum(tf.mul(probs, tf.oneHot(tf.maximum(labels, tf.scalar(0, 'int32')) as tf.Tensor1D, classes)), 1);
  const losses = tf.neg(tf.log(tf.clipByValue(picked, 1e-7, 1)));
  if (!mask) return tf.mean(losses);
  const m = mask.toFloat();
  return tf.div(tf.sum(tf.mul(losses, m)), tf.maximum(tf.sum(m), 1));
}

function losses(tail: tf.LayersModel, batch: ReturnType<typeof stack>, training: boolean, locationWeight: number): { total: tf.Scalar; cancerProbs: tf.Tensor1D } {
  const [cancer, stage, features] = tail.apply(batch.x, { training }) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor4D];
  const cancerLoss = nll(cancer, batch.cancer, 2);
  const stageLoss = nll(stage, batch.stage, 4, tf.greaterEqual(batch.stage, 0).toInt() as tf.Tensor1D);
  let total = tf.add(cancerLoss, stageLoss) as tf.Scalar;
  if (locationWeight > 0) {
    // The CAM logit of each location (src/inference/cam.ts), built from the head's variables so the loss trains them.
    const [kernel, bias] = tail.getLayer('cancer').trainableWeights.map((w) => w.read());
    const wDiff = tf.sub(tf.slice(kernel, [0, 1], [-1, 1]), tf.slice(kernel, [0, 0], [-1, 1]));
    const bDiff = tf.sub(tf.slice(bias, [1], [1]), tf.slice(bias, [0], [1]));
    const [n, h, w, c] = features.shape;
    const logits = tf.add(tf.reshape(tf.matMul(tf.reshape(features, [n * h * w, c]), wDiff), [n, h * w]), bDiff);
    const weights = tf.greaterEqual(batch.locations, 0).toFloat();
    const locationLoss = tf.losses.sigmoidCrossEntropy(tf.relu(batch.locations), logits, weights) as tf.Scalar;
    total = tf.add(total, tf.mul(locationLoss, locationWeight)) as tf.Scalar;
  }
  return { total, cancerProbs: tf.reshape(tf.slice(cancer, [0, 1], [-1, 1]), [-1]) as tf.Tensor1D };
}

function saveCheckpoint(dir: string, state: CheckpointState, weights: tf.Tensor[]): void {
  fs.mkdirSync(dir, { recursive: true });
  const arrays = weights.map((w) => w.dataSync() as Float32Array);
  const buffer = Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
  fs.writeFileSync(path.join(dir, 'weights.bin.tmp'), buffer);
  fs.renameSync(path.join(dir, 'weights.bin.tmp'), path.join(dir, 'weights.bin'));
  fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ ...state, weightShapes: weights.map((w) => w.shape) }, null, 2));
}

function loadCheckpoint(dir: string, runKey: string): { state: CheckpointState; weights: tf.Tensor[] } | null {
  const stateFile = path.join(dir, 'state.json');
  if (!fs.existsSync(stateFile)) return null;
  const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as CheckpointState;
  if (state.runKey !== runKey) return null;
  const bytes = fs.readFileSync(path.join(dir, 'weights.bin'));
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  let at = 0;
  const weights = state.weightShapes.map((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(all.slice(at, at + n), shape);
    at += n;
    return t;
  });
  return { state, weights };
}

function predict(tail: tf.LayersModel, samples: CachedSample[], shape: FeatureShape, batchSize: number, locationWeight: number): { loss: number; probs: number[] } {
  let lossSum = 0;
  const probs: number[] = [];
  for (let i = 0; i < samples.length; i += batchSize) {
    const part = samples.slice(i, i + batchSize);
    tf.tidy(() => {
      const b = stack(part, shape);
      const { total, cancerProbs } = losses(tail, b, false, locationWeight);
      lossSum += total.dataSync()[0] * part.length;
      probs.push(...cancerProbs.dataSync());
    });
  }
  return { loss: lossSum / samples.length, probs };
}

const CALIBRATION_SAMPLES = 32;

function recalibrate(tail: tf.LayersModel, train: CachedSample[], shape: FeatureShape, seed: number): void {
  if (!tail.layers.some((l) => l.getClassName() === 'BatchNormalization')) return;
  const rng = createRng(seed);
  const picks = Array.from({ length: Math.min(CALIBRATION_SAMPLES, train.length) }, () => train[rng.int(0, train.length - 1)]);
  tf.tidy(() => calibrateBatchNorm(tail, stack(picks, shape).x));
}

const aurocOrNull = (labels: number[], probs: number[]): number | null => (new Set(labels).size === 2 ? auroc(labels, probs) : null);

export async function trainTail(tail: tf.LayersModel, shape: FeatureShape, train: CachedSample[], validation: CachedSample[], o: LoopOptions): Promise<LoopResult> {
  const optimizer = tf.train.adam(o.learningRate);
  const sampler = createBalancedSampler(train.map((s) => ({ cancer: s.cancer === 1 })), { seed: o.seed });
  const history: EpochRecord[] = [];
  let bestEpoch = -1;
  let bestMetric = -Infinity;
  let best: tf.Tensor[] = tail.getWeights().map((w) => w.clone());
  let start = 0;
  let resumedFrom: number | null = null;
  const checkpoint = o.resume ? loadCheckpoint(o.checkpointDir, o.runKey) : null;
  if (checkpoint) {
    tail.setWeights(checkpoint.weights);
    history.push(...checkpoint.state.history);
    bestEpoch = checkpoint.state.bestEpoch;
    bestMetric = checkpoint.state.bestMetric;
    start = checkpoint.state.epoch + 1;
    resumedFrom = checkpoint.state.epoch;
    // The best weights so far are the checkpoint's when its last epoch was the best; otherwise they were not kept.
    best = tail.getWeights().map((w) => w.clone());
    tf.dispose(checkpoint.weights);
  }
  for (let epoch = start; epoch < o.epochs; epoch++) {
    const order = sampler.epoch(epoch);
    let lossSum = 0;
    const steps = Math.ceil(order.length / o.batch);
    const trainProbs: number[] = [];
    const trainLabels: number[] = [];
    for (let step = 0; step < steps; step++) {
      const part = order.slice(step * o.batch, (step + 1) * o.batch).map((i) => train[i]);
      const cost = tf.tidy(() => {
        const b = stack(part, shape);
        let probs: tf.Tensor1D | null = null;
        const value = optimizer.minimize(() => {
          const l = losses(tail, b, true, o.locationWeight);
          probs = tf.keep(l.cancerProbs);
          return l.total;
        }, true) as tf.Scalar;
        trainProbs.push(...(probs as unknown as tf.Tensor1D).dataSync());
        tf.dispose(probs as unknown as tf.Tensor);
        return value.dataSync()[0];
      });
      trainLabels.push(...part.map((s) => s.cancer));
      lossSum += cost * part.length;
      o.onProgress?.(`epoch ${epoch + 1}/${o.epochs} ${'#'.repeat(Math.round(((step + 1) / steps) * 20)).padEnd(20, '.')} ${step + 1}/${steps} loss ${(lossSum / trainLabels.length).toFixed(4)}`, false);
      await tf.nextFrame();
    }
    // Moving BatchNorm averages lag far behind weights that changed this epoch: re-estimate them from training
    // features so inference mode (validation, serving) sees the statistics the weights were trained with.
    recalibrate(tail, train, shape, o.seed + epoch);
    const val = predict(tail, validation, shape, o.batch, o.locationWeight);
    const record: EpochRecord = {
      epoch: epoch + 1,
      trainLoss: lossSum / order.length,
      validationLoss: val.loss,
      trainMetric: aurocOrNull(trainLabels, trainProbs),
      validationMetric: aurocOrNull(validation.map((s) => s.cancer), val.probs),
    };
    history.push(record);
    // Model selection on validation AUROC, ties (and single-class validation sets) by lower validation loss.
    const metric = (record.validationMetric ?? 0) - record.validationLoss * 1e-6;
    if (metric > bestMetric) {
      bestMetric = metric;
      bestEpoch = epoch + 1;
      tf.dispose(best);
      best = tail.getWeights().map((w) => w.clone());
    }
    o.onProgress?.(`epoch ${epoch + 1}/${o.epochs} train loss ${record.trainLoss.toFixed(4)} AUROC ${record.trainMetric?.toFixed(3) ?? '-'} | validation loss ${record.validationLoss.toFixed(4)} AUROC ${record.validationMetric?.toFixed(3) ?? '-'}${bestEpoch === epoch + 1 ? ' (best)' : ''}`, true);
    saveCheckpoint(o.checkpointDir, { runKey: o.runKey, epoch, bestEpoch, bestMetric, history, weightShapes: [] }, tail.getWeights());
    if (epoch + 1 - bestEpoch >= o.patience) {
      o.onProgress?.(`early stop: no better validation AUROC for ${o.patience} epochs`, true);
      break;
    }
  }
  tail.setWeights(best);
  tf.dispose(best);
  const final = predict(tail, validation, shape, o.batch, o.locationWeight);
  return { history, bestEpoch, validationProbabilities: final.probs, resumedFrom };
}
