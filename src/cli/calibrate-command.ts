/** `gastric-ai calibrate --model DIR --data DIR`: re-fit a package's calibration and operating points as served. */
import { Command } from 'commander';
import { TEST_TIME_AUGMENTATIONS, TestTimeAugmentation } from '../inference/tta';
import { recalibrate } from '../training/train/recalibrate';
import { intArg, ttaArg } from './args';

interface CalibrateCliOptions {
  model: string;
  data: string;
  tta?: TestTimeAugmentation;
  threads: number;
}

export function registerCalibrateCommand(program: Command): void {
  program
    .command('calibrate')
    .description("re-fit a model package's probability calibration and operating points on its validation patients, read as served (test-time views included)")
    .requiredOption('-m, --model <dir>', 'model package folder (changed in place)')
    .requiredOption('-d, --data <dir>', 'the dataset it was trained on (the manifest records the split)')
    .option('--tta <views>', `test-time views to calibrate for and write to the manifest: ${TEST_TIME_AUGMENTATIONS.join(' | ')} (default: the manifest's)`, ttaArg)
    .option('--threads <n>', 'ONNX Runtime threads, 0 = all cores', intArg(0, 256), 0)
    .action(async (opts: CalibrateCliOptions) => {
      const manifest = await recalibrate({
        modelDir: opts.model,
        dataDir: opts.data,
        testTimeAugmentation: opts.tta,
        threads: opts.threads,
        command: `gastric-ai ${process.argv.slice(2).join(' ')}`,
        log: (line, final) => {
          if (final) process.stderr.write(`${line}\n`);
        },
      });
      const { deviceUid, thresholds, operatingPoints, testTimeAugmentation } = manifest;
      process.stdout.write(`${JSON.stringify({ deviceUid, testTimeAugmentation, thresholds, operatingPoints }, null, 2)}\n`);
    });
}
