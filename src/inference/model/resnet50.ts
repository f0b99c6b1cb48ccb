/**
 * ResNet50 v1 with the gastric heads.
 *
 * The trunk follows keras.applications.ResNet50 layer for layer and name for name (conv1_pad, conv1_conv, conv1_bn, …,
 * conv5_block3_out), so weights load by layer name. Two layouts differ only in where a stage's stride-2 sits:
 * - `v1` (keras.applications): on the first 1x1 conv of the stage's first block;
 * - `v1.5` (torchvision, what `gastric-ai train` trains): on that block's 3x3 conv, after an explicit 1-pixel zero pad
 *   (`_2_pad`), because Keras' 'same' padding pads a stride-2 conv asymmetrically where PyTorch pads both sides.
 * BatchNormalization epsilon is Keras' 1.001e-5 in both (the trainer uses the same).
 */
import * as tf from '@tensorflow/tfjs';

export interface ResNet50Options {
  /** Square input edge in pixels (224 for ImageNet weights; smaller for tests). */
  inputSize: number;
  /** Makes the initial weights deterministic; each layer derives its own seed from it. */
  seed?: number;
  /** Stride placement (see above); default v1.5. */
  variant?: ResNetVariant;
}

export const RESNET_VARIANTS = ['v1', 'v1.5'] as const;
export type ResNetVariant = (typeof RESNET_VARIANTS)[number];

/** The manifest's `architecture` for each layout (`resnet50` predates v1.5 and names the Keras layout). */
export const ARCHITECTURES = { v1: 'resnet50', 'v1.5': 'resnet50-v1.5' } as const satisfies Record<ResNetVariant, string>;
export type Architecture = (typeof ARCHITECTURES)[ResNetVariant];

/** Output names, in model output order. Engines and the ONNX graph use the same names. */
export const GASTRIC_OUTPUTS = ['cancer', 'stage', 'features'] as const;
export const CANCER_CLASSES = 2;
export const STAGE_CLASSES = 4;
const BN_EPSILON = 1.001e-5;

type Sym = tf.SymbolicTensor;

/** Hands out one seed per initialiser so equal-shaped layers do not start identical. */
class SeedSequence {
  private next: number;
  constructor(private readonly base: number | undefined) {
    this.next = 0;
  }
  take(): number | undefined {
    if (this.base === undefined) return undefined;
    this.next += 1;
    return this.base * 7919 + this.next;
  }
}

function conv(x: Sym, seeds: SeedSequence, name: string, filters: number, kernel: number, stride = 1,
  padding: 'valid' | 'same' = 'valid'): Sym {
  if (padding === 'same' && stride !== 1) throw new Error(`${name}: a strided 'same' conv pads unlike PyTorch; pad explicitly`);
  return tf.layers.conv2d({
    name, filters, kernelSize: kernel, strides: stride, padding, useBias: true,
    // He scaling keeps activations in range through 50 untrained layers (Keras' glorot default shrinks them); the
    // uniform variant because tfjs' seeded truncated normal takes ~16 s for ResNet50 on the CPU, uniform ~1.5 s.
    kernelInitializer: tf.initializers.heUniform({ seed: seeds.take() }),
  }).apply(x) as Sym;
}

function bn(x: Sym, name: string): Sym {
  return tf.layers.batchNormalization({ name, axis: 3, epsilon: BN_EPSILON }).apply(x) as Sym;
}

function relu(x: Sym, name: string): Sym {
  return tf.layers.activation({ name, activation: 'relu' }).apply(x) as Sym;
}

/** Keras `block1`: 1x1 → 3x3 → 1x1 bottleneck; projection shortcut (`_0_`) on a stage's first block. */
function bottleneck(x: Sym, seeds: SeedSequence, name: string, filters: number, stride: number, project: boolean, variant: ResNetVariant): Sym {
  const shortcut = project
    ? bn(conv(x, seeds, `${name}_0_conv`, 4 * filters, 1, stride), `${name}_0_bn`)
    : x;
  const onThreeByThree = variant === 'v1.5' && stride !== 1;
  let y = relu(bn(conv(x, seeds, `${name}_1_conv`, filters, 1, onThreeByThree ? 1 : stride), `${name}_1_bn`), `${name}_1_relu`);
  if (onThreeByThree) {
    y = tf.layers.zeroPadding2d({ name: `${name}_2_pad`, padding: 1 }).apply(y) as Sym;
    y = conv(y, seeds, `${name}_2_conv`, filters, 3, stride);
  } else {
    y = conv(y, seeds, `${name}_2_conv`, filters, 3, 1, 'same');
  }
  y = relu(bn(y, `${name}_2_bn`), `${name}_2_relu`);
  y = bn(conv(y, seeds, `${name}_3_conv`, 4 * filters, 1), `${name}_3_bn`);
  const sum = tf.layers.add({ name: `${name}_add` }).apply([shortcut, y]) as Sym;
  return relu(sum, `${name}_out`);
}

function stage(x: Sym, seeds: SeedSequence, name: string, filters: number, blocks: number, stride: number, variant: ResNetVariant): Sym {
  let y = bottleneck(x, seeds, `${name}_block1`, filters, stride, true, variant);
  for (let i = 2; i <= blocks; i++) y = bottleneck(y, seeds, `${name}_block${i}`, filters, 1, false, variant);
  return y;
}

function head(x: Sym, seeds: SeedSequence, name: string, units: number): Sym {
  return tf.layers.dense({
    name, units, activation: 'softmax',
    kernelInitializer: tf.initializers.glorotUniform({ seed: seeds.take() }),
  }).apply(x) as Sym;
}

/**
 * Builds the model. Inputs NHWC [null, S, S, 3]; outputs `cancer` [N,2] and `stage` [N,4] (softmax over a shared
 * global average pool) and `features` (conv5_block3_out, NHWC [N, S/32, S/32, 2048]) for the activation maps.
 */
export function buildGastricResNet50(options: ResNet50Options): tf.LayersModel {
  const { inputSize } = options;
  if (!Number.isInteger(inputSize) || inputSize < 32) {
    throw new RangeError(`inputSize must be an integer >= 32 (five stride-2 steps), got ${inputSize}`);
  }
  const seeds = new SeedSequence(options.seed);
  const variant = options.variant ?? 'v1.5';
  const input = tf.input({ shape: [inputSize, inputSize, 3], name: 'input', dtype: 'float32' });

  let x = tf.layers.zeroPadding2d({ name: 'conv1_pad', padding: 3 }).apply(input) as Sym;
  x = relu(bn(conv(x, seeds, 'conv1_conv', 64, 7, 2), 'conv1_bn'), 'conv1_relu');
  x = tf.layers.zeroPadding2d({ name: 'pool1_pad', padding: 1 }).apply(x) as Sym;
  x = tf.layers.maxPooling2d({ name: 'pool1_pool', poolSize: 3, strides: 2 }).apply(x) as Sym;

  x = stage(x, seeds, 'conv2', 64, 3, 1, variant);
  x = stage(x, seeds, 'conv3', 128, 4, 2, variant);
  x = stage(x, seeds, 'conv4', 256, 6, 2, variant);
  const trunk = stage(x, seeds, 'conv5', 512, 3, 2, variant);

  const pooled = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(trunk) as Sym;
  const cancer = head(pooled, seeds, 'cancer', CANCER_CLASSES);
  const stageOut = head(pooled, seeds, 'stage', STAGE_CLASSES);
  // A linear Activation only to give the feature output its own name (outputNames is then cancer, stage, features).
  const features = tf.layers.activation({ name: 'features', activation: 'linear' }).apply(trunk) as Sym;

  return tf.model({ name: 'gastric_resnet50', inputs: input, outputs: [cancer, stageOut, features] });
}

/** Which layout a loaded model has: where conv3's stride-2 sits. */
export function resnetVariantOf(model: tf.LayersModel): ResNetVariant {
  const strides = (model.getLayer('conv3_block1_1_conv').getConfig().strides as number[] | number | undefined) ?? 1;
  return (Array.isArray(strides) ? strides[0] : strides) === 2 ? 'v1' : 'v1.5';
}
