/** Writes a model package: float16 TF.js weights, the ONNX graph exported from them, and the manifest. */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type * as tf from '@tensorflow/tfjs';
import { deterministicUid } from '../../dicom/uid';
import { cachedOnnx, ONNX_FILE } from '../onnx/cache';
import { MODEL_JSON, modelFiles, saveModelFloat16 } from '../model/weights-io';
import { MANIFEST_FILE } from './load';
import { ModelManifest, parseManifest, MANIFEST_SCHEMA_ID } from './manifest';

export type ManifestFields = Omit<ModelManifest, 'schema' | 'deviceUid' | 'files'>;

/** The device UID follows the weights: retraining gives a new UID, re-saving the same weights keeps it. */
async function weightsDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await modelFiles(dir)).sort()) hash.update(fs.readFileSync(file));
  return hash.digest('hex');
}

export async function writeModelPackage(dir: string, model: tf.LayersModel, fields: ManifestFields): Promise<ModelManifest> {
  fs.mkdirSync(dir, { recursive: true });
  await saveModelFloat16(model, dir);
  const digest = await weightsDigest(dir);
  const manifest: ModelManifest = parseManifest(
    {
      schema: MANIFEST_SCHEMA_ID,
      ...fields,
      deviceUid: deterministicUid('gastric-ai-model', fields.id, fields.version, digest),
      files: { layersModel: MODEL_JSON, onnx: ONNX_FILE },
    },
    path.join(dir, MANIFEST_FILE),
  );
  // Export from the saved (float16-rounded) weights so ONNX and TF.js serve the same numbers.
  await cachedOnnx(dir);
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
