/** `gastric-ai synth`: synthetic gastric studies in the seed collection's format (see docs/dataset-format.md). */
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { fractionArg, intArg, modalitiesArg } from './args';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../synth/generate';

export function registerSynthCommand(program: Command): void {
  const d = DEFAULT_SYNTH_OPTIONS;
  program
    .command('synth')
    .description('write synthetic gastric studies (DICOM + per-image JSON labels) in the seed collection layout')
    .requiredOption('-o, --out <dir>', 'output directory (created; must be empty or absent)')
    .option('-n, --patients <n>', 'number of patients', intArg(1, 100000), d.patients)
    .option('-s, --seed <s>', 'random seed (same seed, same bytes)', intArg(0, 2 ** 31 - 1), d.seed)
    .option('-m, --modalities <list>', 'comma list of ES, CT, PT', modalitiesArg, d.modalities)
    .option('--jpeg', 'encode endoscopy as JPEG baseline YBR_FULL_422 like real endoscopes', d.jpeg)
    .option('--normal-fraction <f>', 'fraction of control patients without cancer', fractionArg, d.normalFraction)
    .option('--endoscopy-images <n>', 'endoscopy stills per patient', intArg(1, 1000), d.endoscopyImages)
    .option('--ct-slices <n>', 'CT slices per patient', intArg(1, 1000), d.ctSlices)
    .option('--pet-slices <n>', 'PET slices per patient', intArg(1, 1000), d.petSlices)
    .option('--json', 'print the summary as JSON')
    .action((opts: typeof d & { out: string; json?: boolean }) => {
      const out = path.resolve(opts.out);
      if (fs.existsSync(out) && fs.readdirSync(out).length > 0) throw new Error(`--out ${out} is not empty`);
      fs.mkdirSync(out, { recursive: true });
      const started = Date.now();
      const summary = generateSynthetic({ ...opts, out }, (study, patient) => {
        if (!opts.json) process.stderr.write(`  ${patient.personId} ${study.modality}: ${study.images} images (${study.cancerImages} with cancer)\n`);
      });
      const images = summary.patients.reduce((n, p) => n + p.studies.reduce((m, s) => m + s.images, 0), 0);
      if (opts.json) process.stdout.write(`${JSON.stringify({ out, ...summary }, null, 2)}\n`);
      else process.stdout.write(`wrote ${summary.patients.length} patients, ${images} images to ${out} in ${((Date.now() - started) / 1000).toFixed(1)} s (synthetic - not for clinical use)\n`);
    });
}
