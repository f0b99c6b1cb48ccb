/** `gastric-ai report --data DIR --out OUT`: look at a dataset before training (counts, sizes, labelled samples). */
import * as path from 'path';
import { Command } from 'commander';
import { writeDatasetReport } from '../training/report/dataset-report';
import { intArg, modalitiesArg } from './args';
import type { Modality } from '../domain/modality';

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('HTML report of a dataset in the seed layout: counts by modality/stage/sex/age, sizes, contact sheets with labels')
    .requiredOption('-d, --data <dir>', 'dataset root (contains 원천데이터 and 라벨링데이터)')
    .requiredOption('-o, --out <dir>', 'output folder for index.html, PNG contact sheets and report.json')
    .option('-m, --modalities <list>', 'comma list of ES, CT, PT (default: those present)', modalitiesArg)
    .option('--samples <n>', 'sample images per contact sheet', intArg(1, 200), 12)
    .option('--seed <s>', 'seed for choosing the samples', intArg(0, 2 ** 31 - 1), 1)
    .action(async (opts: { data: string; out: string; modalities?: Modality[]; samples: number; seed: number }) => {
      const out = path.resolve(opts.out);
      const report = await writeDatasetReport({ data: path.resolve(opts.data), out, modalities: opts.modalities, samples: opts.samples, seed: opts.seed });
      for (const m of report.modalities) process.stderr.write(`  ${m.modality}: ${m.patients} patients, ${m.images} images (${m.cancerImages} with cancer)\n`);
      for (const p of report.problems) process.stderr.write(`  could not draw ${p.file}: ${p.reason}\n`);
      process.stdout.write(`${path.join(out, 'index.html')}\n`);
    });
}
