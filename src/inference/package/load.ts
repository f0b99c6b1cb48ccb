/** Opens a model package folder (models/<id>/): manifest, cancer head for CAM, a serving engine (TF.js or ONNX). */
import * as fs from 'fs';
import * as path from 'path';
import { ModelRef } from '../../domain/analysis';
import { PreprocessSpec } from '../../imaging/preprocess';
import { CancerHead, cancerHeadWeights } from '../cam';
import { InferenceEngine } from '../engine';
import { EngineChoice, selectEngine } from '../engines/select';
import { ARCHITECTURES, resnetVariantOf } from '../model/resnet50';
import { loadModel } from '../model/weights-io';
import { TestTimeAugmentation, TestTimeAugmentationSetting, withTestTimeAugmentation } from '../tta';
import { ManifestError, ModelManifest, parseManifest } from './manifest';

export const MANIFEST_FILE = 'manifest.json';

export interface ModelPackage {
  dir: string;
  manifest: ModelManifest;
  head: CancerHead;
  /** The serving engine, reading each image in the views of `testTimeAugmentation`. */
  engine: InferenceEngine;
  testTimeAugmentation: TestTimeAugmentation;
  spec: PreprocessSpec;
  ref: ModelRef;
}

export interface OpenOptions {
  engine: EngineChoice;
  threads: number;
  /** Views to serve: 'model' or absent = the manifest's; else an override (e.g. 'none' where speed matters more). */
  testTimeAugmentation?: TestTimeAugmentationSetting;
}

export function readManifest(dir: string): ModelManifest {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ManifestError(file, [`cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)}); is ${dir} a model package?`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(file, [`not JSON: ${(err as Error).message}`]);
  }
  return parseManifest(value, file);
}

export function preprocessSpecOf(manifest: ModelManifest): PreprocessSpec {
  const { input } = manifest;
  return { modality: manifest.modality, size: input.size, mean: input.mean, std: input.std, cropToFieldOfView: input.cropToFieldOfView, fixedCrop: input.fixedCrop };
}

export function modelRef(manifest: ModelManifest): ModelRef {
  return { id: manifest.id, version: manifest.version, modality: manifest.modality, deviceUid: manifest.deviceUid, synthetic: manifest.training.data === 'synthetic' };
}

/**
 * The LayersModel is read for the input size and the CAM head's weights (copied out), and is what an ONNX export
 * starts from when the cached graph is stale. The tfjs engine keeps it and frees it on dispose(); an onnx engine serves
 * from its own session, so the LayersModel is disposed as soon as that engine exists (issue 10: otherwise a second
 * copy of the weights, ~100 MB for ResNet50 in float32, stays in memory for the node's lifetime).
 */
export async function openModelPackage(dir: string, options: OpenOptions): Promise<ModelPackage> {
  const manifest = readManifest(dir);
  const model = await loadModel(dir);
  let served: InferenceEngine | undefined;
  try {
    const inputSize = model.inputs[0].shape[1];
    if (inputSize !== manifest.input.size) throw new ManifestError(path.join(dir, MANIFEST_FILE), [`input.size: ${manifest.input.size} but the weights take ${inputSize}`]);
    const layout = ARCHITECTURES[resnetVariantOf(model)];
    if (layout !== manifest.architecture) throw new ManifestError(path.join(dir, MANIFEST_FILE), [`architecture: ${manifest.architecture} but the weights have the ${layout} layout`]);
    const head = cancerHeadWeights(model);
    const setting = options.testTimeAugmentation ?? 'model';
    const testTimeAugmentation = setting === 'model' ? manifest.testTimeAugmentation : setting;
    served = await selectEngine({ engine: options.engine, threads: options.threads, modelDir: dir, model });
    const engine = withTestTimeAugmentation(served, testTimeAugmentation);
    return { dir, manifest, head, engine, testTimeAugmentation, spec: preprocessSpecOf(manifest), ref: modelRef(manifest) };
  } finally {
    if (served?.kind !== 'tfjs') model.dispose();
  }
}
