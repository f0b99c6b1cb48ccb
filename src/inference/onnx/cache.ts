/**
 * The ONNX graph is derived data: exported once from a model folder and cached next to its weights as model.onnx.
 * A sidecar records a SHA-256 of model.json + shards (+ the exporter version), so retrained weights or a changed
 * exporter re-export; mtimes are not trusted because git checkouts rewrite them.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadModel, modelFiles } from '../model/weights-io';
import { exportOnnx } from './export';

export const ONNX_FILE = 'model.onnx';
const SIDECAR = 'model.onnx.source.json';
/** Bump when the exporter's output changes for the same weights. */
export const EXPORTER_VERSION = 1;

interface Sidecar { sourceSha256: string; exporterVersion: number }

async function sourceDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`exporter:${EXPORTER_VERSION}\n`);
  for (const file of await modelFiles(dir)) {
    hash.update(`${path.basename(file)}\n`);
    hash.update(await fs.readFile(file));
  }
  return hash.digest('hex');
}

async function readSidecar(dir: string): Promise<Sidecar | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, SIDECAR), 'utf8')) as Sidecar;
  } catch {
    return undefined;
  }
}

export interface CachedOnnx {
  bytes: Uint8Array;
  /** false when the cache was valid and nothing was exported. */
  exported: boolean;
}

/**
 * ONNX bytes for the model in `dir`: the cached file when it matches the weights, otherwise a fresh export, written
 * atomically so a concurrent reader never sees half a file. `model`, if given, must be the folder's model already
 * loaded (it saves loading it twice); otherwise the folder is loaded only when an export is needed.
 */
export async function cachedOnnx(dir: string, model?: tf.LayersModel): Promise<CachedOnnx> {
  const digest = await sourceDigest(dir);
  const sidecar = await readSidecar(dir);
  if (sidecar?.sourceSha256 === digest && sidecar.exporterVersion === EXPORTER_VERSION) {
    try {
      return { bytes: await fs.readFile(path.join(dir, ONNX_FILE)), exported: false };
    } catch {
      // sidecar without the graph: export again
    }
  }
  const source = model ?? (await loadModel(dir));
  let bytes: Uint8Array;
  try {
    bytes = exportOnnx(source, { metadata: { source_sha256: digest } });
  } finally {
    // Loaded here only to export: the graph replaces it.
    if (source !== model) source.dispose();
  }
  const tmp = path.join(dir, `${ONNX_FILE}.${process.pid}.tmp`);
  await fs.writeFile(tmp, bytes);
  await fs.rename(tmp, path.join(dir, ONNX_FILE));
  const record: Sidecar = { sourceSha256: digest, exporterVersion: EXPORTER_VERSION };
  await fs.writeFile(path.join(dir, SIDECAR), JSON.stringify(record, null, 2));
  return { bytes, exported: true };
}
