/** `gastric-ai evaluate --model DIR --data DIR`: metrics of a model package on a labelled dataset (JSON, HTML, Markdown). */
import * as fs from 'fs';
import * as path from 'path';
import { Command, InvalidArgumentError } from 'commander';
import { EngineChoice } from '../inference/engines/select';
import { MANIFEST_FILE, readManifest } from '../inference/package/load';
import { TEST_TIME_AUGMENTATIONS, TestTimeAugmentation } from '../inference/tta';
import { evaluationSummary } from '../training/evaluate/summary';
import { evaluateModel } from '../training/evaluate/evaluate';
import { EvaluationSplit } from '../training/evaluate/selection';
import { intArg, ttaArg } from './args';

interface EvaluateCliOptions {
  model: string;
  data: string;
  split: EvaluationSplit;
  json?: string;
  report?: string;
  engine: EngineChoice;
  threads: number;
  batch: number;
  tta?: TestTimeAugmentation;
  seed: number;
  bootstrap: number;
  record?: boolean;
}

const choiceArg = <T extends string>(choices: readonly T[]) => (value: string): T => {
  if (!choices.includes(value as T)) throw new InvalidArgumentError(`expected ${choices.join(' | ')} (got ${value})`);
  return value as T;
};

export function registerEvaluateCommand(program: Command): void {
  program
    .command('evaluate')
    .description('evaluate a model package on a dataset in the seed layout: AUROC (image, study), operating points, stage, calibration, by sex, pointing game')
    .requiredOption('-m, --model <dir>', 'model package folder (manifest.json + weights)')
    .requiredOption('-d, --data <dir>', 'dataset root (contains 원천데이터 and 라벨링데이터)')
    .option('--split <split>', 'test: the test patients of the split recorded in the manifest (training.dataset.split; else 70/15/15, seed 1, flagged as a fallback); all: every image', choiceArg(['test', 'all'] as const), 'test')
    .option('--json <file>', 'write the evaluation JSON to this file (default: stdout)')
    .option('--report <dir>', 'write index.html, report.md and SVG figures to this folder')
    .option('--engine <engine>', 'auto | onnx | tfjs', choiceArg(['auto', 'onnx', 'tfjs'] as const), 'auto')
    .option('--threads <n>', 'engine threads, 0 = all cores', intArg(0, 256), 0)
    .option('--batch <n>', 'images per inference batch', intArg(1, 256), 8)
    .option('--tta <views>', `test-time views: ${TEST_TIME_AUGMENTATIONS.join(' | ')} (default: the manifest's testTimeAugmentation)`, ttaArg)
    .option('--seed <s>', 'bootstrap seed', intArg(0, 2 ** 31 - 1), 1)
    .option('--bootstrap <n>', 'bootstrap resamples for the AUROC CIs', intArg(100, 100_000), 2000)
    .option('--record', "write a summary (AUROC, stage, calibration, pointing game, data, command) into the model's manifest.json evaluation")
    .action(async (opts: EvaluateCliOptions) => {
      const { result, report } = await evaluateModel({
        modelDir: opts.model,
        dataDir: opts.data,
        split: opts.split,
        engine: opts.engine,
        threads: opts.threads,
        batchSize: opts.batch,
        testTimeAugmentation: opts.tta,
        seed: opts.seed,
        bootstrapIterations: opts.bootstrap,
        reportDir: opts.report,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      const json = `${JSON.stringify(result, null, 2)}\n`;
      if (opts.json) {
        fs.mkdirSync(path.dirname(path.resolve(opts.json)), { recursive: true });
        fs.writeFileSync(opts.json, json);
        process.stderr.write(`${path.resolve(opts.json)}\n`);
      } else process.stdout.write(json);
      if (report) process.stderr.write(`${report.html}\n${report.markdown}\n`);
      if (opts.record) {
        const file = path.join(opts.model, MANIFEST_FILE);
        const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
        const command = ['gastric-ai', ...process.argv.slice(2)].join(' ');
        manifest.evaluation = evaluationSummary(result, { data: opts.data, split: opts.split, command, date: new Date().toISOString() });
        fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
        readManifest(opts.model); // still a valid manifest
        process.stderr.write(`evaluation recorded in ${file}\n`);
      }
      const a = result.imageLevel.auroc;
      process.stderr.write(`image AUROC ${a.estimate === null ? '-' : a.estimate.toFixed(3)}, study AUROC ${result.studyLevel.auroc.estimate?.toFixed(3) ?? '-'}${result.notForClinicalUse ? ' (not for clinical use)' : ''}\n`);
    });
}
