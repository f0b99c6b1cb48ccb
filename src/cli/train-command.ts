/** `gastric-ai train`: a model package from a dataset in the seed layout (see docs/models.md, "Training"). */
import * as path from 'path';
import { Command, InvalidArgumentError } from 'commander';
import { Trainable, TRAINABLE_BOUNDARY } from '../training/train/tail';
import { train, TrainOptions } from '../training/train/train';
import { TEST_TIME_AUGMENTATIONS, TestTimeAugmentation } from '../inference/tta';
import { intArg, modalityArg, ttaArg } from './args';
import type { Modality } from '../domain/modality';

const splitArg = (value: string): { train: number; validation: number; test: number } => {
  const parts = value.split(',').map(Number);
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0) || Math.abs(parts[0] + parts[1] + parts[2] - 1) > 1e-6) {
    throw new InvalidArgumentError('expected three fractions train,validation,test summing to 1, e.g. 0.7,0.15,0.15');
  }
  return { train: parts[0], validation: parts[1], test: parts[2] };
};

const trainableArg = (value: string): Trainable => {
  if (!(value in TRAINABLE_BOUNDARY)) throw new InvalidArgumentError(`expected one of ${Object.keys(TRAINABLE_BOUNDARY).join(', ')}`);
  return value as Trainable;
};

const positiveNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
};

/** Commander's parsed options: the trainer's, under their flag names, with paths still relative. */
type TrainCliOptions = Pick<TrainOptions, 'version' | 'size' | 'epochs' | 'batch' | 'trainable' | 'augmentCopies' | 'locationWeight' | 'patience' | 'split' | 'seed' | 'threads'> & {
  data: string;
  modality: Modality;
  out: string;
  id?: string;
  lr: number;
  init?: string;
  tta?: TestTimeAugmentation;
  resume?: boolean;
};

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a ResNet50 model package on a dataset in the seed layout (DICOM + JSON labels)')
    .requiredOption('-d, --data <dir>', 'dataset root (원천데이터 + 라벨링데이터)')
    .requiredOption('-m, --modality <m>', 'ES, CT or PT', modalityArg)
    .requiredOption('-o, --out <dir>', 'model package folder, e.g. models/es-demo')
    .option('--id <id>', 'model id (default: the folder name)')
    .option('--version <v>', 'model version', '0.1.0')
    .option('--size <px>', 'input size (224 for real data)', intArg(32, 1024), 224)
    .option('--epochs <n>', 'maximum epochs', intArg(1, 10000), 10)
    .option('--batch <n>', 'batch size', intArg(1, 1024), 16)
    .option('--lr <rate>', 'Adam learning rate', positiveNumber, 1e-3)
    .option('--trainable <part>', 'what is trained: heads | block (last bottleneck + heads) | stage (conv5 + heads)', trainableArg, 'block' as Trainable)
    .option('--init <dir>', 'initial weights: a TF.js LayersModel with Keras ResNet50 layer names (see docs/models.md)')
    .option('--augment-copies <n>', 'augmented copies per training image in the feature cache (1 = none)', intArg(1, 64), 2)
    .option('--tta <views>', `test-time views written to the manifest: ${TEST_TIME_AUGMENTATIONS.join(' | ')} (default: those the modality's augmentation trains with: ES dihedral, CT/PT none)`, ttaArg)
    .option('--location-weight <w>', 'weight of the per-location (label polygon) loss on the activation map', positiveNumber, 1)
    .option('--patience <n>', 'early stop after this many epochs without a better validation AUROC', intArg(1, 1000), 3)
    .option('--split <fractions>', 'train,validation,test fractions by patient', splitArg, { train: 0.7, validation: 0.15, test: 0.15 })
    .option('--seed <s>', 'seed for initialisation, split, sampling and augmentation', intArg(0, 2 ** 31 - 1), 1)
    .option('--threads <n>', 'ONNX Runtime threads for the feature cache, 0 = all cores', intArg(0, 256), 0)
    .option('--resume', 'continue from the checkpoint in OUT/checkpoint when it belongs to the same run')
    .action(async (opts: TrainCliOptions) => {
      const out = path.resolve(opts.out);
      const interactive = process.stderr.isTTY === true;
      const result = await train({
        data: path.resolve(opts.data),
        modality: opts.modality,
        out,
        id: opts.id ?? path.basename(out),
        version: opts.version,
        size: opts.size,
        epochs: opts.epochs,
        batch: opts.batch,
        learningRate: opts.lr,
        trainable: opts.trainable,
        init: opts.init ? path.resolve(opts.init) : null,
        augmentCopies: opts.augmentCopies,
        testTimeAugmentation: opts.tta ?? null,
        locationWeight: opts.locationWeight,
        patience: opts.patience,
        split: opts.split,
        seed: opts.seed,
        threads: opts.threads,
        resume: opts.resume === true,
        command: `gastric-ai ${process.argv.slice(2).join(' ')}`,
        // A progress bar on a terminal; whole lines only in logs.
        log: (line, final) => {
          if (interactive) process.stderr.write(`\r\x1b[K${line}${final ? '\n' : ''}`);
          else if (final) process.stderr.write(`${line}\n`);
        },
      });
      process.stdout.write(`${JSON.stringify({ out, id: result.manifest.id, deviceUid: result.manifest.deviceUid, bestEpoch: result.bestEpoch, epochs: result.history.length, operatingPoints: result.manifest.operatingPoints, notForClinicalUse: result.manifest.notForClinicalUse }, null, 2)}\n`);
    });
}
