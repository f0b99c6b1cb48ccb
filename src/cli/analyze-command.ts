/**
 * `gastric-ai analyze --in DIR [--json] [--out OUT]`: the analysis of the study in DIR with the configured (or given)
 * models; with --out, also the SR, SEG and SC result objects and analysis.json, built by the same code the node runs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, InvalidArgumentError } from 'commander';
import { analyzeStudy, StudyAnalysisOutcome } from '../analysis/analyze-study';
import { loadConfig } from '../config/load';
import { NodeConfig } from '../config/schema';
import { isDicomModalityCode } from '../domain/modality';

import { EngineChoice } from '../inference/engines/select';
import { ModelPackage, openModelPackage, readManifest } from '../inference/package/load';
import { buildResultObjects, writeResultObjects } from '../results/build';
import { RoutingRule } from '../pipeline/routing';
import { intArg } from './args';
import { routeFolder, studyFiles } from './study-folder';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** `--model ID=DIR` (the id must be the manifest's) or `--model DIR` (the manifest's id); repeatable. */
const modelArg = (value: string, previous: Array<{ id: string | null; dir: string }> = []): Array<{ id: string | null; dir: string }> => {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)=(.+)$/.exec(value);
  return [...previous, m ? { id: m[1], dir: m[2] } : { id: null, dir: value }];
};

/** `--modality OT,XC`: DICOM modality codes. */
const dicomModalitiesArg = (value: string): string[] => {
  const list = value.split(',').map((m) => m.trim().toUpperCase()).filter(Boolean);
  if (list.length === 0 || list.some((m) => !isDicomModalityCode(m))) throw new InvalidArgumentError(`expected a comma list of DICOM modality codes, e.g. OT,XC (got ${value})`);
  return list;
};

interface AnalyzeCliOptions {
  in: string;
  model?: Array<{ id: string | null; dir: string }>;
  modality?: string[];
  callingAet?: string;
  config?: string;
  engine?: EngineChoice;
  threads?: number;
  batch?: number;
  json?: boolean;
  out?: string;
}

/** Result files an earlier run may have left in OUT (a study with fewer findings now writes fewer SEG/SC files). */
const RESULT_FILE = /^(sr|seg-\d+|sc-\d+)\.dcm$/;

/** Writes the result objects and analysis.json to `out`; returns the files written. */
async function writeResults(
  out: string,
  outcome: StudyAnalysisOutcome,
  options: { segmentationType: 'BINARY' | 'FRACTIONAL'; secondaryCapture: boolean },
): Promise<string[]> {
  const { analysis, maps, sources, transferSyntaxes } = outcome;
  const objects = await buildResultObjects(
    { analysis, maps, sources, transferSyntaxes, segmentationType: options.segmentationType, now: new Date() },
    { secondaryCapture: options.secondaryCapture },
  );
  fs.mkdirSync(out, { recursive: true });
  for (const name of fs.readdirSync(out)) if (RESULT_FILE.test(name)) fs.rmSync(path.join(out, name));
  const written = writeResultObjects(objects, out);
  const json = path.join(out, 'analysis.json');
  fs.writeFileSync(json, `${JSON.stringify(analysis, null, 2)}\n`);
  return [...written, json];
}

export function registerAnalyzeCommand(program: Command): void {
  program
    .command('analyze')
    .description('analyse the study in a folder: per-image cancer probability and region, study probability, stage, priority')
    .requiredOption('-i, --in <dir>', 'folder with the study\'s DICOM files (searched recursively)')
    .option('--model <id=dir>', 'model package, as ID=DIR or DIR (repeatable; default: inference.models in the config)', modelArg)
    .option('--modality <codes>', 'DICOM modalities (e.g. OT,XC) whose series the one --model reads, instead of the routing rules', dicomModalitiesArg)
    .option('--calling-aet <aet>', 'route as if the study came from this calling AE title (routing rules with callingAet)')
    .option('-c, --config <file>', 'node configuration override file')
    .option('--engine <engine>', 'auto | onnx | tfjs (default: inference.engine in the config)')
    .option('--threads <n>', 'engine threads, 0 = all cores', intArg(0, 256))
    .option('--batch <n>', 'batch size', intArg(1, 256))
    .option('--json', 'print the analysis as JSON')
    .option('-o, --out <dir>', 'write the result objects (sr.dcm, seg-N.dcm, sc-N.dcm) and analysis.json to this folder')
    .action(async (opts: AnalyzeCliOptions) => {
      const { config } = loadConfig({ file: opts.config });
      const engine = opts.engine ?? config.inference.engine;
      if (!['auto', 'onnx', 'tfjs'].includes(engine)) throw new Error(`--engine ${engine}: expected auto, onnx or tfjs`);
      const models = await openModels(opts, config, engine);
      try {
        const rules = routingRules(opts, config.routing.rules, models);
        const folder = routeFolder(studyFiles(path.resolve(opts.in)), rules, models, opts.callingAet ?? null);
        if (folder.series.length === 0) throw new Error(`${folder.reason ?? 'nothing to analyse'}; with --model, --modality CODE says which series it reads`);
        const outcome = await analyzeStudy(folder.series, { batchSize: opts.batch ?? config.inference.batchSize, triage: config.triage, skipped: folder.skipped });
        const { analysis } = outcome;
        const written = opts.out ? await writeResults(path.resolve(opts.out), outcome, config.results) : [];
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(analysis, null, 2)}\n`);
          return;
        }
        const pct = (p: number): string => `${(p * 100).toFixed(1)} %`;
        process.stdout.write(
          `study ${analysis.studyInstanceUid}\n  priority ${analysis.priority}, cancer probability ${pct(analysis.cancerProbability)} (${analysis.aggregation})\n` +
            `  stage ${analysis.stage.estimate ?? '-'}  [${analysis.stage.distribution.map((p) => p.toFixed(2)).join(' ')}]\n` +
            `  ${analysis.images.length} images, ${analysis.images.filter((i) => i.suspicious).length} suspicious, ${analysis.skipped.length} skipped; ${analysis.timings.totalMs.toFixed(0)} ms\n` +
            `  models: ${analysis.models.map((m) => `${m.id}@${m.version}${m.synthetic ? ' (synthetic demo - not for clinical use)' : ''}`).join(', ')}\n` +
            (opts.out ? `  wrote ${written.map((f) => path.basename(f)).join(', ')} to ${path.resolve(opts.out)}\n` : ''),
        );
      } finally {
        for (const m of models.values()) await m.engine.dispose();
      }
    });
}

/** The packages named by --model, else the installed ones of inference.models; by id. */
async function openModels(opts: AnalyzeCliOptions, config: NodeConfig, engine: EngineChoice): Promise<Map<string, ModelPackage>> {
  const wanted = opts.model ?? config.inference.models.map((m) => ({ id: m.id, dir: path.resolve(REPO_ROOT, m.dir) }));
  const models = new Map<string, ModelPackage>();
  const open = { engine, threads: opts.threads ?? config.inference.threads, testTimeAugmentation: config.inference.testTimeAugmentation };
  try {
    for (const { id, dir } of wanted) {
      if (!opts.model && !fs.existsSync(path.join(dir, 'manifest.json'))) continue; // configured but not installed
      const manifestId = readManifest(path.resolve(dir)).id;
      if (id !== null && id !== manifestId) throw new Error(`--model ${id}=${dir}: that package is model ${manifestId}`);
      models.set(manifestId, await openModelPackage(path.resolve(dir), open));
    }
  } catch (err) {
    for (const m of models.values()) await m.engine.dispose();
    throw err;
  }
  if (models.size === 0) throw new Error(`no model package found (looked in ${wanted.map((w) => w.dir).join(', ')}); make one with \`gastric-ai train\` or pass --model ID=DIR`);
  return models;
}

/**
 * --modality: those DICOM modalities go to the one --model. Otherwise the config's rules that name a loaded model,
 * then, for a --model no rule names, its manifest's modality (ES, CT, PT) as a last rule.
 */
function routingRules(opts: AnalyzeCliOptions, configured: readonly RoutingRule[], models: ReadonlyMap<string, ModelPackage>): RoutingRule[] {
  if (opts.modality) {
    if (models.size !== 1) throw new Error('--modality needs exactly one --model');
    const [id] = models.keys();
    return opts.modality.map((modality) => ({ modality, model: id }));
  }
  const rules = configured.filter((r) => models.has(r.model));
  if (opts.model) for (const [id, pkg] of models) if (!rules.some((r) => r.model === id)) rules.push({ modality: pkg.manifest.modality, model: id });
  return rules;
}
