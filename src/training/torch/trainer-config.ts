/** The run configuration handed to the Python trainer (read by trainer/gastric_trainer/config.py). */
import type { ResNetVariant } from '../../inference/model/resnet50';
import type { AugmentPolicy } from '../dataset/augment-policy';

export const TRAINING_DEVICES = ['auto', 'cpu', 'cuda'] as const;
export type TrainingDevice = (typeof TRAINING_DEVICES)[number];
export const OPTIMIZERS = ['adamw', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface TrainerConfig {
  trainCache: string;
  validationCache: string;
  /** Where the trainer writes the best weights (weights exchange format). */
  out: string;
  checkpointDir: string;
  runKey: string;
  resume: boolean;
  variant: ResNetVariant;
  init: { kind: 'torchvision' | 'exchange'; path: string } | null;
  epochs: number;
  batch: number;
  learningRate: number;
  weightDecay: number;
  optimizer: OptimizerName;
  warmupEpochs: number;
  locationWeight: number;
  stageWeight: number;
  patience: number;
  seed: number;
  device: TrainingDevice;
  threads: number;
  augment: AugmentPolicy;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
  trainMetric: number | null;
  validationMetric: number | null;
}

export interface TrainerDone {
  history: EpochRecord[];
  bestEpoch: number;
  resumedFrom: number | null;
  /** Cancer probabilities of the best weights on the validation cache, in its order. */
  validationProbabilities: number[];
  device: string;
  initialisation: string;
  trainImagesPerSecond: number | null;
  inferenceImagesPerSecond: number | null;
}
