/**
 * `gastric-ai analyze --in DIR [--json] [--out OUT]`: the analysis of the study in DIR with the configured (or given)
 * models; with --out, also the SR, SEG and SC result objects and analysis.json, built by the same code the node runs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, InvalidArgumentError } from 'commander';
import { analyzeStudy, StudyAnalysisOutcome } from '../analysis/analyze-study';
import { loadConfig } from '../config/load';
import { Modality } from '../imaging/preprocess';
import { EngineChoice } from '../inference/engines/select';
import { ModelPackage, openModelPackage } from '../inference/package/load';
import { buildResultObjects, writeResultObjects } from '../results/build';
import { intArg } from './args';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Every regular file under dir (PACS exports often have no .dcm extension); non-DICOM files are reported as skipped. */
function studyFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) throw new Error(`--in ${dir} does not exist`);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? studyFiles(path.join(dir, e.name)) : e.isFile() && !e.name.endsWith('.json') ? [path.join(dir, e.name)] : []))
    .sort();
}

const modelArg = (value: string, previous: Record<string, string> = {}): Record<string, string> => {
  const m = /^(ES|CT|PT)=(.+)$/i.exec(value);
  if (!m) throw new InvalidArgumentError(`expected MODALITY=DIR, e.g. ES=models/es-demo (got ${value})`);
  return { ...previous, [m[1].toUpperCase()]: m[2] };
};

interface AnalyzeCliOptions {
  in: string;
  model?: Record<string, string>;
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
    .option('--model <modality=dir>', 'model package per modality (repeatable; default: inference.models in the config)', modelArg)
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
      const dirs: Record<string, string> = opts.model ?? Object.fromEntries(Object.entries(config.inference.models).map(([m, d]) => [m, path.resolve(REPO_ROOT, d)]));
      const files = studyFiles(path.resolve(opts.in));
      const models: Partial<Record<Modality, ModelPackage>> = {};
      for (const [modality, dir] of Object.entries(dirs)) {
        if (!opts.model && !fs.existsSync(dir)) continue; // configured but not installed: its series are reported as skipped
        models[modality as Modality] = await openModelPackage(path.resolve(dir), {
          engine,
          threads: opts.threads ?? config.inference.threads,
          testTimeAugmentation: config.inference.testTimeAugmentation,
        });
      }
      if (Object.keys(models).length === 0) throw new Error(`no model package found (looked in ${Object.values(dirs).join(', ')}); make one with \`gastric-ai train\` or pass --model ES=DIR`);
      try {
        const outcome = await analyzeStudy(files, { models, batchSize: opts.batch ?? config.inference.batchSize, triage: config.triage });
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
        for (const m of Object.values(models)) await m?.engine.dispose();
      }
    });
}
