/** `gastric-ai train`: a model package from a dataset in the seed layout (see docs/models.md, "Training"). */
import * as path from 'path';
import { Command, InvalidArgumentError } from 'commander';
import { train, TrainOptions } from '../training/train/train';
import { TEST_TIME_AUGMENTATIONS, TestTimeAugmentation } from '../inference/tta';
import { OPTIMIZERS, OptimizerName, TRAINING_DEVICES, TrainingDevice } from '../training/torch/trainer-config';
import { intArg, modalityArg, ttaArg } from './args';
import type { Modality } from '../domain/modality';

const splitArg = (value: string): { train: number; validation: number; test: number } => {
  const parts = value.split(',').map(Number);
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0) || Math.abs(parts[0] + parts[1] + parts[2] - 1) > 1e-6) {
    throw new InvalidArgumentError('expected three fractions train,validation,test summing to 1, e.g. 0.7,0.15,0.15');
  }
  return { train: parts[0], validation: parts[1], test: parts[2] };
};

const choice = <T extends string>(values: readonly T[]) => (value: string): T => {
  if (!(values as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
  return value as T;
};

const positiveNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
};

/** Commander's parsed options: the trainer's, under their flag names, with paths still relative. */
type TrainCliOptions = Pick<TrainOptions, 'version' | 'size' | 'epochs' | 'batch' | 'weightDecay' | 'optimizer' | 'locationWeight' | 'stageWeight' | 'patience' | 'split' | 'seed' | 'threads' | 'device'> & {
  data: string;
  modality: Modality;
  out: string;
  id?: string;
  lr: number;
  init?: string;
  tta: TestTimeAugmentation;
  warmup: number;
  resume?: boolean;
};

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a whole ResNet50 (PyTorch) into a model package, from a dataset in the seed layout (DICOM + JSON labels)')
    .requiredOption('-d, --data <dir>', 'dataset root (원천데이터 + 라벨링데이터)')
    .requiredOption('-m, --modality <m>', 'ES, CT or PT', modalityArg)
    .requiredOption('-o, --out <dir>', 'model package folder, e.g. models/es-demo')
    .option('--id <id>', 'model id (default: the folder name)')
    .option('--version <v>', 'model version', '0.1.0')
    .option('--size <px>', 'input size (224 for real data and ImageNet weights; the demo models use less)', intArg(32, 1024), 224)
    .option('--epochs <n>', 'maximum epochs', intArg(1, 10000), 10)
    .option('--batch <n>', 'batch size', intArg(2, 1024), 32)
    .option('--lr <rate>', 'peak learning rate (after warm-up; cosine decay to 1 % of it)', positiveNumber, 1e-3)
    .option('--optimizer <name>', `${OPTIMIZERS.join(' | ')}`, choice<OptimizerName>(OPTIMIZERS), 'adamw' as OptimizerName)
    .option('--weight-decay <w>', 'decoupled weight decay on conv and dense kernels', positiveNumber, 1e-4)
    .option('--warmup <epochs>', 'linear learning-rate warm-up, in epochs', positiveNumber, 1)
    .option('--init <file|dir>', 'initial weights: a torchvision ResNet50 state_dict (.pth), or a TF.js LayersModel with Keras ResNet50 layer names (docs/models.md)')
    .option('--tta <views>', `test-time views the package is served and calibrated in: ${TEST_TIME_AUGMENTATIONS.join(' | ')}`, ttaArg, 'none' as TestTimeAugmentation)
    .option('--location-weight <w>', 'weight of the per-location (label polygon) loss on the activation map', positiveNumber, 1)
    .option('--stage-weight <w>', 'weight of the stage loss (cancer images of staged patients)', positiveNumber, 1)
    .option('--patience <n>', 'early stop after this many epochs without a better validation AUROC', intArg(1, 1000), 3)
    .option('--split <fractions>', 'train,validation,test fractions by patient', splitArg, { train: 0.7, validation: 0.15, test: 0.15 })
    .option('--seed <s>', 'seed for initialisation, split, sampling and augmentation', intArg(0, 2 ** 31 - 1), 1)
    .option('--device <d>', `where PyTorch trains: ${TRAINING_DEVICES.join(' | ')} (auto: CUDA when PyTorch sees a GPU)`, choice<TrainingDevice>(TRAINING_DEVICES), 'auto' as TrainingDevice)
    .option('--threads <n>', 'CPU threads for PyTorch and ONNX Runtime, 0 = all cores', intArg(0, 256), 0)
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
        weightDecay: opts.weightDecay,
        optimizer: opts.optimizer,
        warmupEpochs: opts.warmup,
        init: opts.init ? path.resolve(opts.init) : null,
        testTimeAugmentation: opts.tta,
        locationWeight: opts.locationWeight,
        stageWeight: opts.stageWeight,
        patience: opts.patience,
        split: opts.split,
        seed: opts.seed,
        device: opts.device,
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
