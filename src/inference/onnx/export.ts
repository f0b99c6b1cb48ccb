/**
 * Our LayersModel → ONNX exporter (opset 13). No Python converter exists in this environment, and the graph must be
 * exactly the served weights, so we walk the model's layers ourselves: generic over class name and config, limited to
 * the classes in layer-converters.ts, and refusing anything else by name.
 *
 * Layout: the graph input `input` is NHWC [N, S, S, 3] like the tfjs model; one Transpose makes it NCHW for ONNX's
 * Conv/Pool; 4-D outputs are transposed back to NHWC so both engines return the same layout.
 */
import type * as tf from '@tensorflow/tfjs';
import { onnx } from 'onnx-proto';
import { OnnxGraphBuilder, type Dim } from './graph-builder';
import { CONVERTERS, OnnxExportError, type TensorRef } from './layer-converters';

export { OnnxExportError } from './layer-converters';

export const ONNX_OPSET = 13;
/** IR version 8 (ONNX 1.10) carries opset 13 and is read by every onnxruntime since 1.10. */
const IR_VERSION = 8;
export const ONNX_INPUT_NAME = 'input';

type Layer = tf.layers.Layer;
type Sym = tf.SymbolicTensor;

export interface OnnxExportOptions {
  /** Stored as ONNX metadata (e.g. the model id and version from the manifest). */
  metadata?: Record<string, string>;
}

function keras(shape: readonly (number | null)[]): number[] {
  return shape.map((d) => (d === null ? -1 : d));
}

/** The single call of each layer: shared layers (one layer applied twice) are not part of our architectures. */
function inboundNode(layer: Layer): { inputs: Sym[]; output: Sym } {
  if (layer.inboundNodes.length !== 1) {
    throw new OnnxExportError(`layer '${layer.name}' is applied ${layer.inboundNodes.length} times (shared layers are not exported)`);
  }
  const node = layer.inboundNodes[0];
  if (node.outputTensors.length !== 1) throw new OnnxExportError(`layer '${layer.name}' has several outputs`);
  return { inputs: node.inputTensors, output: node.outputTensors[0] };
}

/** Which layers read each symbolic tensor (by id). */
function consumersOf(model: tf.LayersModel): Map<number, Layer[]> {
  const map = new Map<number, Layer[]>();
  for (const layer of model.layers) {
    for (const node of layer.inboundNodes) {
      for (const t of node.inputTensors) map.set(t.id, [...(map.get(t.id) ?? []), layer]);
    }
  }
  return map;
}

function outputDims(ref: TensorRef): Dim[] {
  return ['N', ...ref.shape.slice(1)];
}

/** Exports the model as an ONNX ModelProto (not yet encoded). */
export function toOnnxModel(model: tf.LayersModel, options: OnnxExportOptions = {}): onnx.IModelProto {
  if (model.inputs.length !== 1) throw new OnnxExportError(`expected one model input, got ${model.inputs.length}`);
  const inputShape = keras(model.inputs[0].shape);
  if (inputShape.length !== 4 || inputShape.slice(1).some((d) => d < 1)) {
    throw new OnnxExportError(`expected a fixed NHWC image input, got [${model.inputs[0].shape.join(', ')}]`);
  }

  const b = new OnnxGraphBuilder();
  const values = new Map<number, TensorRef>();
  const absorbed = new Map<Layer, TensorRef>();
  const consumers = consumersOf(model);
  const outputIds = new Set(model.outputs.map((o) => o.id));

  b.reserve(model.outputNames);
  const input = b.input(ONNX_INPUT_NAME, ['N', ...inputShape.slice(1)]);
  values.set(model.inputs[0].id, {
    name: b.node('Transpose', [input], 'input_nchw', { perm: [0, 3, 1, 2] }), shape: inputShape,
  });

  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    const { inputs, output } = inboundNode(layer);
    const done = absorbed.get(layer);
    if (done) { values.set(output.id, done); continue; }
    const convert = CONVERTERS[className];
    if (!convert) {
      throw new OnnxExportError(`layer '${layer.name}' has class ${className}, which the ONNX exporter does not support ` +
        `(supported: ${Object.keys(CONVERTERS).join(', ')})`);
    }
    const refs = inputs.map((t) => {
      const ref = values.get(t.id);
      if (!ref) throw new OnnxExportError(`layer '${layer.name}' reads a tensor that was not produced before it`);
      return ref;
    });
    values.set(output.id, convert({
      b, layer, inputs: refs, outputShape: keras(output.shape), consumers: consumers.get(output.id) ?? [],
      isModelOutput: outputIds.has(output.id), absorb: (l, ref) => absorbed.set(l, ref),
    }));
  }

  model.outputs.forEach((sym, i) => {
    const ref = values.get(sym.id)!;
    const name = model.outputNames[i];
    if (ref.pads) throw new OnnxExportError(`output ${name} is an unapplied padding`);
    if (ref.shape.length === 4) b.node('Transpose', [ref.name], name, { perm: [0, 2, 3, 1] }, name);
    else b.node('Identity', [ref.name], name, {}, name);
    b.output(name, outputDims(ref));
  });

  return {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'gastric-ai-node',
    producerVersion: '1',
    graph: b.graph(model.name),
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
}

/** Exports the model and encodes it as ONNX protobuf bytes. */
export function exportOnnx(model: tf.LayersModel, options: OnnxExportOptions = {}): Uint8Array {
  return onnx.ModelProto.encode(toOnnxModel(model, options)).finish();
}
