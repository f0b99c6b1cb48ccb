/**
 * The trainable part of the network as its own model: every layer after a boundary layer (e.g. conv5_block2_out),
 * cloned with the same names and weights, fed by an input shaped like the boundary's output. Training it on cached
 * boundary features costs only the tail's convolutions; its weights are copied back by name afterwards.
 */
import * as tf from '@tensorflow/tfjs';

/** What `--trainable` means: the layer whose output feeds the trained tail. */
export const TRAINABLE_BOUNDARY = {
  heads: 'conv5_block3_out',
  block: 'conv5_block2_out',
  stage: 'conv4_block6_out',
} as const;
export type Trainable = keyof typeof TRAINABLE_BOUNDARY;

type Layer = tf.layers.Layer;
type Sym = tf.SymbolicTensor;

/** Layers that depend on the boundary's output, in the model's topological order. */
function downstreamLayers(model: tf.LayersModel, boundary: Layer): Layer[] {
  const reached = new Set<Layer>([boundary]);
  const out: Layer[] = [];
  for (const layer of model.layers) {
    if (layer === boundary) continue;
    const inputs = layer.inboundNodes.flatMap((n) => n.inboundLayers);
    if (inputs.some((l) => reached.has(l))) {
      reached.add(layer);
      out.push(layer);
    }
  }
  return out;
}

/** A fresh layer of the same class and config (tfjs' own registry, which model loading uses). */
function cloneLayer(layer: Layer): Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()];
  if (!entry) throw new Error(`cannot clone layer ${layer.name}: class ${layer.getClassName()} is not registered`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, layer.getConfig()) as unknown as Layer;
}

export function buildTail(model: tf.LayersModel, boundaryName: string): tf.LayersModel {
  const boundary = model.getLayer(boundaryName);
  const boundaryOut = boundary.output as Sym;
  const input = tf.input({ shape: boundaryOut.shape.slice(1) as number[], name: `${boundaryName}_input` });
  const mapped = new Map<number, Sym>([[boundaryOut.id, input]]);
  for (const layer of downstreamLayers(model, boundary)) {
    const node = layer.inboundNodes[0];
    const inputs = node.inputTensors.map((t) => {
      const m = mapped.get(t.id);
      if (!m) throw new Error(`tail from ${boundaryName}: layer ${layer.name} also reads ${t.name}, which is not after the boundary`);
      return m;
    });
    const clone = cloneLayer(layer);
    const y = clone.apply(inputs.length === 1 ? inputs[0] : inputs) as Sym;
    clone.setWeights(layer.getWeights());
    mapped.set((node.outputTensors[0] as Sym).id, y);
  }
  const outputs = model.outputs.map((o) => {
    const m = mapped.get(o.id);
    if (!m) throw new Error(`output ${o.name} does not depend on ${boundaryName}`);
    return m;
  });
  return tf.model({ name: `${model.name}_tail`, inputs: input, outputs });
}

/** Copies the tail's trained weights back into the full model, layer by layer. */
export function copyTailWeights(tail: tf.LayersModel, model: tf.LayersModel): void {
  for (const layer of tail.layers) {
    if (layer.getClassName() === 'InputLayer' || layer.getWeights().length === 0) continue;
    model.getLayer(layer.name).setWeights(layer.getWeights());
  }
}

/** The full model up to the boundary, as its own model (for the feature cache). */
export function buildTrunk(model: tf.LayersModel, boundaryName: string): tf.LayersModel {
  return tf.model({ name: `${model.name}_trunk`, inputs: model.inputs, outputs: model.getLayer(boundaryName).output as Sym });
}
