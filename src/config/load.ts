/**
 * Loads the effective configuration: config/default.yaml < override file < environment variables.
 * Every problem is collected with its path (MONAI Informatics Gateway habit) instead of stopping at the first.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { configSchema, NodeConfig } from './schema';

export const ENV_PREFIX = 'GASTRIC_AI__';
export const CONFIG_FILE_ENV = 'GASTRIC_AI_CONFIG';
/** config/default.yaml of this package, whether running from src/ (tests) or dist/ (CLI). */
export const DEFAULT_CONFIG_PATH = path.resolve(__dirname, '..', '..', 'config', 'default.yaml');

export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Tree = Record<string, unknown>;

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge; arrays and scalars in `over` replace those in `base`. */
export function mergeTrees(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isTree(v) && isTree(out[k]) ? mergeTrees(out[k] as Tree, v) : v;
  }
  return out;
}

function readTreeFile(file: string, problems: ConfigProblem[]): Tree {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({ path: file, message: `cannot read config file (${(err as NodeJS.ErrnoException).code ?? String(err)})` });
    return {};
  }
  try {
    const value: unknown = parseYaml(text) ?? {};
    if (!isTree(value)) {
      problems.push({ path: file, message: 'expected a mapping of keys at the top level' });
      return {};
    }
    return value;
  } catch (err) {
    problems.push({ path: file, message: `not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}` });
    return {};
  }
}

const snakeToCamel = (s: string): string => s.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** GASTRIC_AI__INGEST__DIMSE__MAX_PDU_LENGTH=1 → { ingest: { dimse: { maxPduLength: 1 } } }. */
export function envOverrides(env: NodeJS.ProcessEnv): Tree {
  let tree: Tree = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const keys = name.slice(ENV_PREFIX.length).split('__').filter(Boolean).map(snakeToCamel);
    if (keys.length === 0) continue;
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: keep it as text (AE titles, hosts, paths).
    }
    const leaf: Tree = {};
    let cursor = leaf;
    keys.forEach((k, i) => {
      if (i === keys.length - 1) cursor[k] = value;
      else cursor = cursor[k] = {} as Tree;
    });
    tree = mergeTrees(tree, leaf);
  }
  return tree;
}

export interface LoadOptions {
  /** Override file; falls back to $GASTRIC_AI_CONFIG. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  defaultsFile?: string;
}

export interface LoadedConfig {
  config: NodeConfig;
  /** Files merged, in order, for the operator's benefit. */
  sources: string[];
}

/** Throws ConfigError listing every problem. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const sources = [options.defaultsFile ?? DEFAULT_CONFIG_PATH];
  const overrideFile = options.file ?? env[CONFIG_FILE_ENV];
  if (overrideFile) sources.push(path.resolve(overrideFile));

  let tree: Tree = {};
  for (const file of sources) tree = mergeTrees(tree, readTreeFile(file, problems));
  tree = mergeTrees(tree, envOverrides(env));
  if (problems.length > 0) throw new ConfigError(problems);

  const parsed = configSchema.safeParse(tree);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.flatMap((issue): ConfigProblem[] =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({ path: [...issue.path, key].join('.'), message: 'unknown key' }))
          : [{ path: issue.path.join('.') || '(top level)', message: issue.message }],
      ),
    );
  }
  return { config: parsed.data, sources };
}

const SECRET_KEY = /password|token|secret/i;

/** A deep copy with secret values replaced, for printing and logs. */
export function maskSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v)) as T;
  if (!isTree(value)) return value;
  const out: Tree = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && typeof v === 'string' ? '********' : maskSecrets(v);
  return out as T;
}
