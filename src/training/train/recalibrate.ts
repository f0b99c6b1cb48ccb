/**
 * `gastric-ai calibrate`: re-fits a model package's probability calibration and operating points on the validation
 * patients of its own recorded split, read as served in the chosen test-time views. For a package trained before
 * `train` did this itself, or after changing its views. The weights change (the head absorbs the fit), so the device
 * UID changes and the old evaluation summary is dropped: evaluate again.
 */
import * as path from 'path';
import { initTfjsBackend } from '../../inference/engines/tfjs-backend';
import { loadModel } from '../../inference/model/weights-io';
import { preprocessSpecOf, readManifest } from '../../inference/package/load';
import type { ModelManifest } from '../../inference/package/manifest';
import { writeModelPackage } from '../../inference/package/write';
import type { TestTimeAugmentation } from '../../inference/tta';
import { readDataset } from '../dataset/reader';
import { splitByPatient } from '../dataset/split';
import { recordedSplit } from '../evaluate/selection';
import { calibrateAsServed } from './serving-calibration';

export interface RecalibrateOptions {
  modelDir: string;
  /** The dataset the model was trained on (its validation patients are used). */
  dataDir: string;
  /** Views to calibrate for and write to the manifest; default: the manifest's. */
  testTimeAugmentation?: TestTimeAugmentation;
  threads: number;
  command: string;
  log?: (line: string, final: boolean) => void;
}

export async function recalibrate(options: RecalibrateOptions): Promise<ModelManifest> {
  const dir = path.resolve(options.modelDir);
  const root = path.resolve(options.dataDir);
  const manifest = readManifest(dir);
  const split = recordedSplit(manifest);
  if (!split) throw new Error(`${dir}: the manifest records no training split (training.dataset.split), so its validation patients are unknown`);
  const index = await readDataset(root, { modality: manifest.modality });
  const validation = splitByPatient(index, split).validation.images;
  if (validation.length === 0) throw new Error(`${root}: no validation patients for the recorded split ${JSON.stringify(split)}; is this the training dataset?`);
  const tta = options.testTimeAugmentation ?? manifest.testTimeAugmentation;
  await initTfjsBackend(); // before loading, so the weights go to wasm rather than the pure-JS backend
  const model = await loadModel(dir);
  try {
    const { platt, points, images } = await calibrateAsServed(model, validation, {
      spec: preprocessSpecOf(manifest),
      testTimeAugmentation: tta,
      root,
      threads: options.threads,
      onProgress: (done, total) => options.log?.(`calibration (${tta} views): ${done}/${total} images`, done === total),
    });
    const { schema: _schema, deviceUid: _uid, files: _files, ...fields } = manifest;
    return await writeModelPackage(dir, model, {
      ...fields,
      thresholds: { ...manifest.thresholds, image: points[0]?.threshold ?? manifest.thresholds.image },
      operatingPoints: points,
      testTimeAugmentation: tta,
      training: {
        ...manifest.training,
        trained: `${manifest.training.trained}; recalibrated on ${images} validation images read in the ${tta} views (scale ${platt.scale.toFixed(3)}, offset ${platt.offset.toFixed(3)}): ${options.command}`,
      },
      evaluation: null,
    });
  } finally {
    model.dispose();
  }
}
