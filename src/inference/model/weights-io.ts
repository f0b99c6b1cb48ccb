/**
 * LayersModel folders: model.json + float16 weight shards, in the TF.js LayersModel format so tfjs (and tfjs-node's
 * file:// loader on GPU hosts) read them directly. Halving the weights keeps a ResNet50 at ~51 MB instead of ~103 MB.
 *
 * tfjs cannot quantise on save, so we take the float32 artifacts from a save handler, encode the float32 weights as
 * float16 ourselves and mark each manifest entry `quantization: { dtype: 'float16' }`; tfjs dequantises on load.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { encodeFloat16 } from './float16';

export const MODEL_JSON = 'model.json';
/** tfjs' own shard size: browsers cache files up to this size, and git diffs stay manageable. */
export const MAX_SHARD_BYTES = 4 * 1024 * 1024;
const SHARD_PATTERN = /^group\d+-shard\d+of\d+\.bin$/;

type WeightSpec = tf.io.WeightsManifestEntry;

export interface SavedModelFiles {
  modelJson: string;
  shards: string[];
  /** Bytes of all shards together. */
  weightBytes: number;
}

/** Collects the float32 artifacts tfjs would write, without writing them. */
async function captureArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    captured = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (!captured?.weightSpecs || !captured.weightData) throw new Error('tfjs produced no weights to save');
  return captured;
}

function asBytes(data: tf.io.WeightData): Uint8Array {
  const buffers = Array.isArray(data) ? data : [data];
  return new Uint8Array(tf.io.concatenateArrayBuffers(buffers));
}

/** Re-encodes float32 weights as float16; int32 weights (none in our models) are copied as they are. */
function quantiseFloat16(specs: WeightSpec[], data: Uint8Array): { specs: WeightSpec[]; bytes: Uint8Array } {
  const parts: Uint8Array[] = [];
  const outSpecs: WeightSpec[] = [];
  let offset = 0;
  for (const spec of specs) {
    if (spec.quantization) throw new Error(`weight ${spec.name} is already quantised`);
    if (spec.dtype !== 'float32' && spec.dtype !== 'int32') {
      throw new Error(`weight ${spec.name}: dtype ${spec.dtype} is not supported by the float16 writer`);
    }
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const byteLength = count * 4;
    const slice = data.slice(offset, offset + byteLength);
    offset += byteLength;
    if (spec.dtype === 'float32') {
      const half = encodeFloat16(new Float32Array(slice.buffer, 0, count));
      parts.push(new Uint8Array(half.buffer));
      outSpecs.push({ ...spec, quantization: { dtype: 'float16' } });
    } else {
      parts.push(slice);
      outSpecs.push({ ...spec });
    }
  }
  if (offset !== data.byteLength) throw new Error(`weight specs cover ${offset} of ${data.byteLength} bytes`);
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) { bytes.set(p, at); at += p.byteLength; }
  return { specs: outSpecs, bytes };
}

/**
 * Writes `dir/model.json` and `dir/group1-shardXofY.bin` (≤ 4 MB each; tfjs splits the byte stream regardless of
 * weight boundaries and concatenates the shards on load). Older shards in `dir` are removed first; model.json is
 * written last so a half-written folder is never loadable.
 */
export async function saveModelFloat16(model: tf.LayersModel, dir: string): Promise<SavedModelFiles> {
  const artifacts = await captureArtifacts(model);
  const { specs, bytes } = quantiseFloat16(artifacts.weightSpecs ?? [], asBytes(artifacts.weightData!));

  await fs.mkdir(dir, { recursive: true });
  for (const name of await fs.readdir(dir)) {
    if (SHARD_PATTERN.test(name)) await fs.rm(path.join(dir, name));
  }
  const shardCount = Math.max(1, Math.ceil(bytes.byteLength / MAX_SHARD_BYTES));
  const shardNames: string[] = [];
  for (let i = 0; i < shardCount; i++) {
    const name = `group1-shard${i + 1}of${shardCount}.bin`;
    await fs.writeFile(path.join(dir, name), bytes.subarray(i * MAX_SHARD_BYTES, (i + 1) * MAX_SHARD_BYTES));
    shardNames.push(name);
  }
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: 'gastric-ai-node (float16 weights)',
    weightsManifest: [{ paths: shardNames, weights: specs }],
  };
  const modelJsonPath = path.join(dir, MODEL_JSON);
  await fs.writeFile(modelJsonPath, JSON.stringify(modelJson));
  return { modelJson: modelJsonPath, shards: shardNames.map((n) => path.join(dir, n)), weightBytes: bytes.byteLength };
}

/** The files a saved model consists of (model.json first, then shards in manifest order). */
export async function modelFiles(dir: string): Promise<string[]> {
  const json = JSON.parse(await fs.readFile(path.join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
  const shards = json.weightsManifest.flatMap((group) => group.paths.map((p) => path.join(dir, p)));
  return [path.join(dir, MODEL_JSON), ...shards];
}

/** Loads a folder written by saveModelFloat16 (or any TF.js LayersModel folder) without tfjs-node's file:// IO. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await fs.readFile(path.join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
  const weightSpecs: WeightSpec[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const shard of group.paths) {
      const file = await fs.readFile(path.join(dir, shard));
      buffers.push(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
    }
  }
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData: tf.io.concatenateArrayBuffers(buffers),
  }));
}
