/** Running the whole node in tests: config from the defaults plus overrides, tiny test models, polling waits. */
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig, mergeTrees } from '../../src/config/load';
import { configSchema, NodeConfig } from '../../src/config/schema';
import { TEST_API_AUTH } from './api-auth';
import { writeTestModelPackage } from './model-package';

type Tree = Parameters<typeof mergeTrees>[0];

/**
 * The default configuration with `overrides` merged in (validated like a real config file), with the test API tokens
 * (test/helpers/api-auth.ts: send `bearer(role)`) unless the overrides set api.auth.
 */
export function nodeConfig(overrides: Tree): NodeConfig {
  const { config } = loadConfig({ env: {} });
  return configSchema.parse(mergeTrees(mergeTrees(config as unknown as Tree, { api: { auth: TEST_API_AUTH } }), overrides));
}

/** Tiny untrained ES/CT/PT packages (64 px) under dir/{ES,CT,PT}; every image counts as suspicious. */
export async function writeTestModels(dir: string, modalities: Array<'ES' | 'CT' | 'PT'> = ['ES', 'CT', 'PT']): Promise<Record<'ES' | 'CT' | 'PT', string>> {
  const dirs = { ES: path.join(dir, 'ES'), CT: path.join(dir, 'CT'), PT: path.join(dir, 'PT') };
  for (const m of modalities) if (!fs.existsSync(path.join(dirs[m], 'manifest.json'))) await writeTestModelPackage(dirs[m], m, 64);
  return dirs;
}

/**
 * The test packages as inference.models, and the default routing rules with their model ids swapped for the test
 * packages' (es-demo → test-es, ct-demo → test-ct, pt-demo → test-pt), so tests route exactly as the defaults do.
 */
export function testModelsConfig(dirs: Record<'ES' | 'CT' | 'PT', string>): { inference: { models: Array<{ id: string; dir: string }> }; routing: { rules: NodeConfig['routing']['rules'] } } {
  const { config } = loadConfig({ env: {} });
  const testId = (demoId: string): string => `test-${demoId.replace(/-demo$/, '')}`;
  return {
    inference: { models: (['ES', 'CT', 'PT'] as const).map((m) => ({ id: `test-${m.toLowerCase()}`, dir: dirs[m] })) },
    routing: { rules: config.routing.rules.map((r) => ({ ...r, model: testId(r.model) })) },
  };
}

/** Polls `probe` until it returns a value other than undefined/false, or fails with `what` after timeoutMs. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
