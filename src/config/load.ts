/**
 * Loads the effective configuration: config/default.yaml < override file < environment variables.
 * Every problem is collected with its path (MONAI Informatics Gateway habit) instead of stopping at the first.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { redactText, SECRET_KEY } from '../security/redact';
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

type ZodDef = Record<string, unknown> & { type?: string };
const defOf = (schema: unknown): ZodDef | undefined => (schema as { _zod?: { def?: ZodDef } } | undefined)?._zod?.def;

/** The object schemas a key path can lead to (through optional, nullable, unions, arrays by index, refinements). */
function objectsAt(schema: unknown, keys: readonly string[]): ZodDef[] {
  const def = defOf(schema);
  if (!def) return [];
  for (const inner of ['innerType', 'in', 'schema']) if (def[inner]) return objectsAt(def[inner], keys);
  if (Array.isArray(def.options)) return def.options.flatMap((o) => objectsAt(o, keys));
  if (keys.length === 0) return def.type === 'object' ? [def] : [];
  const [key, ...rest] = keys;
  if (def.type === 'array' && /^\d+$/.test(key)) return objectsAt(def.element, rest);
  if (def.type === 'object' && isTree(def.shape)) return objectsAt(def.shape[key], rest);
  return [];
}

/** Whether the object at `parent` has a key `name` (certFile, tokenFile…) in the schema. */
const schemaHasKey = (parent: readonly string[], name: string): boolean => objectsAt(configSchema, parent).some((o) => isTree(o.shape) && name in o.shape);

/** One environment override: the key path (a number indexes an array) and its value. */
interface EnvEntry {
  keys: string[];
  value: unknown;
}

/**
 * GASTRIC_AI__A__B_C=v → keys [a, bC]. GASTRIC_AI__A__B_FILE=/path → keys [a, b] with the file's content (without its
 * final newline), the Docker/Kubernetes secrets convention, unless the object at a has a key bFile (certFile, caFile…).
 */
function envEntries(env: NodeJS.ProcessEnv, problems: ConfigProblem[]): EnvEntry[] {
  const entries: EnvEntry[] = [];
  for (const [name, raw] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const keys = name.slice(ENV_PREFIX.length).split('__').filter(Boolean).map(snakeToCamel);
    if (keys.length === 0) continue;
    const last = keys[keys.length - 1];
    if (last.endsWith('File') && last.length > 4 && !schemaHasKey(keys.slice(0, -1), last)) {
      try {
        entries.push({ keys: [...keys.slice(0, -1), last.slice(0, -4)], value: fs.readFileSync(raw, 'utf8').replace(/\r?\n$/, '') });
      } catch (err) {
        problems.push({ path: name, message: `cannot read the secret file ${raw} (${(err as NodeJS.ErrnoException).code ?? String(err)})` });
      }
      continue;
    }
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: keep it as text (AE titles, hosts, paths).
    }
    entries.push({ keys, value });
  }
  return entries;
}

/** GASTRIC_AI__INGEST__DIMSE__MAX_PDU_LENGTH=1 → { ingest: { dimse: { maxPduLength: 1 } } }. */
export function envOverrides(env: NodeJS.ProcessEnv): Tree {
  let tree: Tree = {};
  for (const { keys, value } of envEntries(env, [])) {
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

/** A copy of `node` with `value` at `keys`; a number indexes an existing array (…__DESTINATIONS__0__URL). */
function setAt(node: unknown, keys: string[], value: unknown): unknown {
  if (keys.length === 0) return isTree(value) && isTree(node) ? mergeTrees(node, value) : value;
  const [key, ...rest] = keys;
  if (Array.isArray(node) && /^\d+$/.test(key)) {
    const copy = [...node];
    copy[Number(key)] = setAt(copy[Number(key)], rest, value);
    return copy;
  }
  const tree = isTree(node) ? node : {};
  return { ...tree, [key]: setAt(tree[key], rest, value) };
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
  for (const { keys, value } of envEntries(env, problems)) tree = setAt(tree, keys, value) as Tree;
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

/** A deep copy with secret values replaced, for printing and logs: secret keys' values, and URL passwords anywhere. */
export function maskSecrets<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v)) as T;
  if (!isTree(value)) return value;
  const out: Tree = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && typeof v === 'string' ? '********' : maskSecrets(v);
  return out as T;
}
