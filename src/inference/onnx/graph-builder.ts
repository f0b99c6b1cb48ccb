/** Accumulates ONNX nodes and initialisers; knows nothing about Keras layers. */
import { onnx } from 'onnx-proto';

export type AttributeValue = number | number[] | string;
/** An integer attribute must say so: ONNX distinguishes INT from FLOAT, JavaScript does not. */
export interface IntAttr { int: number }
export type Attribute = AttributeValue | IntAttr;

/** Symbolic or fixed dimension of a graph input/output. */
export type Dim = number | string;

function attribute(name: string, value: Attribute): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: T.FLOAT, f: value };
  if (Array.isArray(value)) {
    if (!value.every(Number.isInteger)) throw new Error(`attribute ${name}: only integer lists are emitted`);
    return { name, type: T.INTS, ints: value };
  }
  return { name, type: T.INT, i: value.int };
}

function valueInfo(name: string, dims: readonly Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

export class OnnxGraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private readonly reserved = new Set<string>();

  /** A fresh value name derived from `base` (ONNX requires each value to be produced once: SSA). */
  name(base: string): string {
    let candidate = base;
    for (let i = 1; this.used.has(candidate) || this.reserved.has(candidate); i++) candidate = `${base}_${i}`;
    this.used.add(candidate);
    return candidate;
  }

  /** Keeps names (the graph outputs) free for `node(..., outputName)` later. */
  reserve(names: readonly string[]): void {
    for (const n of names) this.reserved.add(n);
  }

  input(name: string, dims: readonly Dim[]): string {
    this.used.add(name);
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  output(name: string, dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  /** Adds a node; returns its (single) output name. `outputName` must be fresh if given. */
  node(op: string, inputs: string[], base: string, attrs: Record<string, Attribute> = {}, outputName?: string): string {
    if (outputName !== undefined && this.used.has(outputName)) throw new Error(`ONNX value ${outputName} exists`);
    const out = outputName ?? this.name(base);
    if (outputName !== undefined) this.used.add(outputName);
    this.nodes.push({
      opType: op, name: this.name(`${base}/${op}`), input: inputs, output: [out],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  floatInitializer(base: string, data: Float32Array, dims: number[]): string {
    const name = this.name(base);
    this.initializers.push({
      name, dims, dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), // little-endian, as ONNX requires
    });
    return name;
  }

  int64Initializer(base: string, values: number[]): string {
    const name = this.name(base);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({
      name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64,
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  graph(name: string): onnx.IGraphProto {
    return { name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs };
  }
}
