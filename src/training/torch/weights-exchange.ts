/**
 * The weights file shared with the Python trainer (trainer/gastric_trainer/exchange.py): `weights.json` (format,
 * ResNet50 variant, tensor names/shapes/byte offsets) and `weights.bin` (float32 little-endian). Tensors carry Keras
 * layer names and layouts (`conv1_conv/kernel` [kh, kw, in, out], `conv1_bn/moving_mean`, `cancer/kernel` [in, out]),
 * so they load into our TF.js ResNet50 by name.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { RESNET_VARIANTS, ResNetVariant, resnetVariantOf } from '../../inference/model/resnet50';

export const WEIGHTS_FORMAT = 'gastric-ai-node/weights/v1';
const INDEX_FILE = 'weights.json';
const DATA_FILE = 'weights.bin';

/** Weight order of each layer class in TF.js, and the name each takes in the file. */
const WEIGHT_NAMES: Record<string, readonly string[]> = {
  Conv2D: ['kernel', 'bias'],
  BatchNormalization: ['gamma', 'beta', 'moving_mean', 'moving_variance'],
  Dense: ['kernel', 'bias'],
};

interface IndexEntry {
  name: string;
  shape: number[];
  offset: number;
}

interface WeightsIndex {
  format: string;
  variant: ResNetVariant;
  bytes: number;
  tensors: IndexEntry[];
}

export interface ExchangeWeights {
  variant: ResNetVariant;
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
}

export function hasExchangeWeights(dir: string): boolean {
  return fs.existsSync(path.join(dir, INDEX_FILE));
}

function readIndex(dir: string): WeightsIndex {
  const indexPath = path.join(dir, INDEX_FILE);
  const index = JSON.parse(fs.readFileSync(indexPath, 'utf8')) as WeightsIndex;
  if (index.format !== WEIGHTS_FORMAT) throw new Error(`${indexPath}: not a ${WEIGHTS_FORMAT} file`);
  if (!RESNET_VARIANTS.includes(index.variant)) throw new Error(`${indexPath}: unknown ResNet50 variant ${String(index.variant)}`);
  return index;
}

/** The layout of a weights folder, from its index alone (the ~94 MB of data are not read). */
export function exchangeVariant(dir: string): ResNetVariant {
  return readIndex(dir).variant;
}

export function readExchangeWeights(dir: string): ExchangeWeights {
  const index = readIndex(dir);
  const bytes = fs.readFileSync(path.join(dir, DATA_FILE));
  if (bytes.byteLength !== index.bytes) throw new Error(`${path.join(dir, DATA_FILE)}: ${bytes.byteLength} bytes, the index says ${index.bytes}`);
  // Copy once into an aligned buffer: Buffer's byteOffset need not be a multiple of 4.
  const all = new Float32Array(new Uint8Array(bytes).buffer);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const e of index.tensors) {
    const count = e.shape.reduce((a, b) => a * b, 1);
    tensors.set(e.name, { shape: e.shape, data: all.subarray(e.offset / 4, e.offset / 4 + count) });
  }
  return { variant: index.variant, tensors };
}

/** Sets every weight of `model` from the file; a missing tensor or a shape mismatch is an error naming it. */
export function applyExchangeWeights(model: tf.LayersModel, weights: ExchangeWeights): void {
  for (const layer of model.layers) {
    const names = WEIGHT_NAMES[layer.getClassName()];
    if (!names || layer.weights.length === 0) continue;
    const values = layer.weights.map((variable, i) => {
      const key = `${layer.name}/${names[i]}`;
      const t = weights.tensors.get(key);
      if (!t) throw new Error(`trained weights lack ${key}`);
      if (t.shape.join('x') !== variable.shape.join('x')) throw new Error(`trained weights: ${key} is ${t.shape.join('x')}, the model expects ${variable.shape.join('x')}`);
      return tf.tensor(t.data, t.shape);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** Writes a TF.js ResNet50's weights (e.g. Keras ImageNet weights converted to TF.js, or a package) for the trainer. */
export function writeExchangeWeights(dir: string, model: tf.LayersModel): ResNetVariant {
  const variant = resnetVariantOf(model);
  const entries: IndexEntry[] = [];
  const parts: Buffer[] = [];
  let offset = 0;
  for (const layer of model.layers) {
    const names = WEIGHT_NAMES[layer.getClassName()];
    if (!names) continue;
    layer.getWeights().forEach((w, i) => {
      const data = w.dataSync() as Float32Array;
      parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      entries.push({ name: `${layer.name}/${names[i]}`, shape: w.shape, offset });
      offset += data.byteLength;
    });
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, DATA_FILE), Buffer.concat(parts));
  const index: WeightsIndex = { format: WEIGHTS_FORMAT, variant, bytes: offset, tensors: entries };
  fs.writeFileSync(path.join(dir, INDEX_FILE), JSON.stringify(index));
  return variant;
}
