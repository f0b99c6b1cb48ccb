/**
 * The model catalog: the configured packages (inference.models), loaded once at start-up and known by their id.
 * A configured folder that is missing is reported (its series are skipped with the reason), not fatal; a package
 * whose manifest names another id than the config is a configuration error, because routing rules name ids.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ComponentHealth } from '../api/deps';
import { EngineChoice } from '../inference/engines/select';
import { ModelPackage, openModelPackage, readManifest } from '../inference/package/load';
import { TestTimeAugmentationSetting } from '../inference/tta';
import { Logger } from '../logging/logger';

export interface ModelCatalog {
  /** The loaded package with this id, if installed. */
  get(id: string): ModelPackage | undefined;
  /** One health entry per configured model. */
  health(): ComponentHealth[];
  dispose(): Promise<void>;
}

export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';
}

export async function loadModels(options: {
  models: ReadonlyArray<{ id: string; dir: string }>;
  baseDir: string;
  engine: EngineChoice;
  threads: number;
  /** 'model': each manifest's own views. */
  testTimeAugmentation: TestTimeAugmentationSetting;
  logger: Logger;
}): Promise<ModelCatalog> {
  const byId = new Map<string, ModelPackage>();
  try {
    for (const { id, dir: configured } of options.models) {
      const dir = path.resolve(options.baseDir, configured);
      if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
        options.logger.warn('model package not found: series routed to it are skipped', { model: id, dir });
        continue;
      }
      // The manifest first: a wrong id is found before the weights are loaded.
      const manifestId = readManifest(dir).id;
      if (manifestId !== id) throw new ModelConfigError(`inference.models: ${dir} holds model ${manifestId}, not ${id} (routing rules name models by their manifest id)`);
      const pkg = await openModelPackage(dir, { engine: options.engine, threads: options.threads, testTimeAugmentation: options.testTimeAugmentation });
      byId.set(id, pkg);
      options.logger.info('model loaded', { model: id, version: pkg.manifest.version, modality: pkg.manifest.modality, engine: `${pkg.engine.kind}/${pkg.engine.backend}`, testTimeAugmentation: pkg.testTimeAugmentation, synthetic: pkg.ref.synthetic });
    }
  } catch (err) {
    for (const pkg of byId.values()) await pkg.engine.dispose();
    throw err;
  }
  return {
    get: (id) => byId.get(id),
    health: () =>
      options.models.map(({ id }): ComponentHealth => {
        const pkg = byId.get(id);
        return pkg ? { name: `model ${id}`, status: 'up', detail: `${pkg.manifest.modality} ${pkg.manifest.version}` } : { name: `model ${id}`, status: 'disabled', detail: 'no model package: series routed to it are skipped' };
      }),
    dispose: async () => {
      for (const pkg of byId.values()) await pkg.engine.dispose();
    },
  };
}
