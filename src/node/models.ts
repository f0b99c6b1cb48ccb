/** Loads the configured model packages once at start-up; a configured folder that is missing is reported, not fatal. */
import * as fs from 'fs';
import * as path from 'path';
import { Modality } from '../imaging/preprocess';
import { EngineChoice } from '../inference/engines/select';
import { ModelPackage, openModelPackage } from '../inference/package/load';
import { TestTimeAugmentationSetting } from '../inference/tta';
import { Logger } from '../logging/logger';

export interface LoadedModels {
  models: Partial<Record<Modality, ModelPackage>>;
  missing: Array<{ modality: Modality; dir: string }>;
  dispose(): Promise<void>;
}

export async function loadModels(options: {
  dirs: Record<Modality, string>;
  baseDir: string;
  engine: EngineChoice;
  threads: number;
  /** 'model': each manifest's own views. */
  testTimeAugmentation: TestTimeAugmentationSetting;
  logger: Logger;
}): Promise<LoadedModels> {
  const models: Partial<Record<Modality, ModelPackage>> = {};
  const missing: LoadedModels['missing'] = [];
  for (const [modality, configured] of Object.entries(options.dirs) as Array<[Modality, string]>) {
    const dir = path.resolve(options.baseDir, configured);
    if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
      missing.push({ modality, dir });
      options.logger.warn('model package not found: series of this modality are skipped', { modality, dir });
      continue;
    }
    const pkg = await openModelPackage(dir, { engine: options.engine, threads: options.threads, testTimeAugmentation: options.testTimeAugmentation });
    models[modality] = pkg;
    options.logger.info('model loaded', { modality, id: pkg.manifest.id, version: pkg.manifest.version, engine: `${pkg.engine.kind}/${pkg.engine.backend}`, testTimeAugmentation: pkg.testTimeAugmentation, synthetic: pkg.ref.synthetic });
  }
  return {
    models,
    missing,
    dispose: async () => {
      for (const pkg of Object.values(models)) await pkg?.engine.dispose();
    },
  };
}
