/**
 * One converter per Keras layer class. Inside the graph 4-D tensors are NCHW (ONNX's Conv/Pool layout); shapes here
 * stay in Keras terms (NHWC, batch -1) because that is what the layers' configs and static shapes speak.
 */
import type * as tf from '@tensorflow/tfjs';
import { OnnxGraphBuilder } from './graph-builder';
import { foldBatchNorm, kernelHwioToOihw, type BatchNormParams } from './bn-fold';

type Layer = tf.layers.Layer;

export class OnnxExportError extends Error {
  override readonly name = 'OnnxExportError';
}

/** A value in the graph. `pads` marks a ZeroPadding2D not yet applied: the next Conv takes it into its own pads. */
export interface TensorRef {
  name: string;
  /** Keras shape, batch as -1: [-1, H, W, C] or [-1, C]. */
  shape: number[];
  /** Pending zero padding [top, left, bottom, right]. */
  pads?: [number, number, number, number];
}

export interface ConvertContext {
  b: OnnxGraphBuilder;
  layer: Layer;
  inputs: TensorRef[];
  /** Shape of the layer's output (Keras, batch -1). */
  outputShape: number[];
  /** Layers that read this layer's output; `isModelOutput` if the model returns it too. */
  consumers: Layer[];
  isModelOutput: boolean;
  /** Marks a following layer as done by this one (BN folded into a conv), with the value that stands for it. */
  absorb(layer: Layer, ref: TensorRef): void;
}

type Converter = (ctx: ConvertContext) => TensorRef;

function config(layer: Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

function fail(layer: Layer, why: string): never {
  throw new OnnxExportError(`layer '${layer.name}' (${layer.getClassName()}): ${why}`);
}

/** The layer's weights by short name (kernel, bias, gamma, beta, moving_mean, moving_variance). */
function weights(layer: Layer): Map<string, Float32Array> {
  const values = layer.getWeights();
  const out = new Map<string, Float32Array>();
  layer.weights.forEach((w, i) => {
    const short = w.originalName.split('/').pop() ?? w.originalName;
    out.set(short, values[i].dataSync() as Float32Array);
  });
  return out;
}

function pair(value: unknown, layer: Layer, key: string): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) {
    return [value[0] as number, value[1] as number];
  }
  return fail(layer, `unexpected ${key} ${JSON.stringify(value)}`);
}

function requireChannelsLast(layer: Layer): void {
  const format = config(layer).dataFormat;
  if (format !== undefined && format !== 'channelsLast') fail(layer, `dataFormat ${String(format)} (only channelsLast)`);
}

/** TensorFlow 'same' padding: out = ceil(in / s), the extra row/column goes after (bottom/right). */
function samePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Applies a pending ZeroPadding2D as a Pad node (needed when something other than a Conv reads it). */
function materialise(b: OnnxGraphBuilder, ref: TensorRef, base: string): TensorRef {
  if (!ref.pads) return ref;
  const [t, l, bo, r] = ref.pads;
  const pads = b.int64Initializer(`${base}/pads`, [0, 0, t, l, 0, 0, bo, r]);
  return { name: b.node('Pad', [ref.name, pads], base), shape: ref.shape };
}

/** Keras activation name → ONNX node (or the value itself for linear). */
function activation(b: OnnxGraphBuilder, layer: Layer, name: string, input: string, base: string): string {
  switch (name) {
    case 'linear': return input;
    case 'relu': return b.node('Relu', [input], base);
    case 'sigmoid': return b.node('Sigmoid', [input], base);
    case 'tanh': return b.node('Tanh', [input], base);
    // Keras softmax runs over the last (channel) axis; channels are axis 1 in NCHW and in [N, C].
    case 'softmax': return b.node('Softmax', [input], base, { axis: { int: 1 } });
    default: return fail(layer, `activation '${name}' is not supported`);
  }
}

const zeroPadding2d: Converter = ({ b, layer, inputs, outputShape, consumers, isModelOutput }) => {
  requireChannelsLast(layer);
  const padding = config(layer).padding as [[number, number], [number, number]];
  const [[t, bo], [l, r]] = padding;
  const prior = inputs[0].pads ?? [0, 0, 0, 0];
  const pending: TensorRef = {
    name: inputs[0].name, shape: outputShape,
    pads: [prior[0] + t, prior[1] + l, prior[2] + bo, prior[3] + r],
  };
  // Zero padding is exactly a Conv's own padding; anything else (MaxPool pads with -inf) needs a real Pad.
  const allConv = consumers.length > 0 && consumers.every((c) => c.getClassName() === 'Conv2D');
  return allConv && !isModelOutput ? pending : materialise(b, pending, layer.name);
};

const conv2d: Converter = (ctx) => {
  const { b, layer, inputs, outputShape, consumers, isModelOutput } = ctx;
  requireChannelsLast(layer);
  const c = config(layer);
  const [kh, kw] = pair(c.kernelSize, layer, 'kernelSize');
  const [sh, sw] = pair(c.strides, layer, 'strides');
  const [dh, dw] = pair(c.dilationRate ?? 1, layer, 'dilationRate');
  if (c.groups !== undefined && c.groups !== 1) fail(layer, 'grouped convolution');
  const input = inputs[0];
  const [, inH, inW, cin] = input.shape;
  const cout = c.filters as number;

  const w = weights(layer);
  let params = {
    weight: kernelHwioToOihw(w.get('kernel')!, kh, kw, cin, cout),
    bias: w.get('bias') ?? new Float32Array(cout),
  };
  // A BN that is the conv's only reader is folded into it (see bn-fold.ts); the Conv output then stands for the BN's.
  const next = consumers.length === 1 && !isModelOutput ? consumers[0] : undefined;
  // (Not across a fused activation: BN(relu(conv)) is not a conv.)
  const bnFolded = next?.getClassName() === 'BatchNormalization' && c.activation === 'linear' ? next : undefined;
  if (bnFolded) params = foldBatchNorm(params, batchNormParams(bnFolded));

  let pads = [0, 0, 0, 0]; // top, left, bottom, right
  if (c.padding === 'same') {
    const [pt, pb] = samePads(inH, kh, sh, dh);
    const [pl, pr] = samePads(inW, kw, sw, dw);
    pads = [pt, pl, pb, pr];
  } else if (c.padding !== 'valid') {
    fail(layer, `padding ${String(c.padding)}`);
  }
  const pending = input.pads ?? [0, 0, 0, 0];
  pads = pads.map((p, i) => p + pending[i]);

  const weightName = b.floatInitializer(`${layer.name}/W`, params.weight, [cout, cin, kh, kw]);
  const biasName = b.floatInitializer(`${layer.name}/B`, params.bias, [cout]);
  const conv = b.node('Conv', [input.name, weightName, biasName], bnFolded?.name ?? layer.name, {
    kernel_shape: [kh, kw], strides: [sh, sw], dilations: [dh, dw], pads, group: { int: 1 },
  });
  const result: TensorRef = {
    name: activation(b, layer, c.activation as string, conv, `${layer.name}/act`), shape: outputShape,
  };
  if (bnFolded) ctx.absorb(bnFolded, result);
  return result;
};

function batchNormParams(layer: Layer): BatchNormParams {
  const c = config(layer);
  const axis = c.axis as number;
  if (axis !== -1 && axis !== 3) fail(layer, `axis ${axis} (only the channel axis)`);
  const w = weights(layer);
  const mean = w.get('moving_mean')!;
  return {
    gamma: w.get('gamma') ?? new Float32Array(mean.length).fill(1),
    beta: w.get('beta') ?? new Float32Array(mean.length),
    mean,
    variance: w.get('moving_variance')!,
    epsilon: c.epsilon as number,
  };
}

const batchNormalization: Converter = ({ b, layer, inputs, outputShape }) => {
  const p = batchNormParams(layer);
  const input = materialise(b, inputs[0], `${layer.name}/pad`);
  const n = p.mean.length;
  const args = [
    b.floatInitializer(`${layer.name}/gamma`, p.gamma, [n]), b.floatInitializer(`${layer.name}/beta`, p.beta, [n]),
    b.floatInitializer(`${layer.name}/mean`, p.mean, [n]), b.floatInitializer(`${layer.name}/var`, p.variance, [n]),
  ];
  const out = b.node('BatchNormalization', [input.name, ...args], layer.name, { epsilon: p.epsilon });
  return { name: out, shape: outputShape };
};

const activationLayer: Converter = ({ b, layer, inputs, outputShape }) => {
  const input = materialise(b, inputs[0], `${layer.name}/pad`);
  const name = activation(b, layer, config(layer).activation as string, input.name, layer.name);
  return { name, shape: outputShape };
};

const add: Converter = ({ b, layer, inputs, outputShape }) => {
  const names = inputs.map((r, i) => materialise(b, r, `${layer.name}/pad${i}`).name);
  let sum = names[0];
  for (let i = 1; i < names.length; i++) sum = b.node('Add', [sum, names[i]], layer.name);
  return { name: sum, shape: outputShape };
};

const maxPooling2d: Converter = ({ b, layer, inputs, outputShape }) => {
  requireChannelsLast(layer);
  const c = config(layer);
  const [kh, kw] = pair(c.poolSize, layer, 'poolSize');
  const [sh, sw] = pair(c.strides ?? c.poolSize, layer, 'strides');
  const input = materialise(b, inputs[0], `${layer.name}/pad`);
  let pads = [0, 0, 0, 0];
  if (c.padding === 'same') {
    // TF ignores padded positions in a max; so do ONNX MaxPool's pads.
    const [pt, pb] = samePads(input.shape[1], kh, sh, 1);
    const [pl, pr] = samePads(input.shape[2], kw, sw, 1);
    pads = [pt, pl, pb, pr];
  }
  const out = b.node('MaxPool', [input.name], layer.name, { kernel_shape: [kh, kw], strides: [sh, sw], pads });
  return { name: out, shape: outputShape };
};

const globalAveragePooling2d: Converter = ({ b, layer, inputs, outputShape }) => {
  requireChannelsLast(layer);
  if (config(layer).keepDims === true) fail(layer, 'keepDims');
  const input = materialise(b, inputs[0], `${layer.name}/pad`);
  const pooled = b.node('GlobalAveragePool', [input.name], `${layer.name}/pool`);
  return { name: b.node('Flatten', [pooled], layer.name, { axis: { int: 1 } }), shape: outputShape };
};

const flatten: Converter = ({ b, layer, inputs, outputShape }) => {
  let input = materialise(b, inputs[0], `${layer.name}/pad`).name;
  // Keras flattens NHWC order; go back to NHWC first so the following Dense sees the same element order.
  if (inputs[0].shape.length === 4) input = b.node('Transpose', [input], `${layer.name}/nhwc`, { perm: [0, 2, 3, 1] });
  return { name: b.node('Flatten', [input], layer.name, { axis: { int: 1 } }), shape: outputShape };
};

const dense: Converter = ({ b, layer, inputs, outputShape }) => {
  const input = inputs[0];
  if (input.shape.length !== 2) fail(layer, `input of rank ${input.shape.length} (only [N, features])`);
  const c = config(layer);
  const units = c.units as number;
  const w = weights(layer);
  const kernel = b.floatInitializer(`${layer.name}/W`, w.get('kernel')!, [input.shape[1], units]);
  const bias = b.floatInitializer(`${layer.name}/B`, w.get('bias') ?? new Float32Array(units), [units]);
  const gemm = b.node('Gemm', [input.name, kernel, bias], `${layer.name}/gemm`);
  return { name: activation(b, layer, c.activation as string, gemm, layer.name), shape: outputShape };
};

export const CONVERTERS: Readonly<Record<string, Converter>> = {
  ZeroPadding2D: zeroPadding2d,
  Conv2D: conv2d,
  BatchNormalization: batchNormalization,
  Activation: activationLayer,
  Add: add,
  MaxPooling2D: maxPooling2d,
  GlobalAveragePooling2D: globalAveragePooling2d,
  Flatten: flatten,
  Dense: dense,
};
