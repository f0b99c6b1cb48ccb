/**
 * What every serving engine offers. Both engines take and return the same layouts (NHWC in, NHWC features out), so
 * the rest of the node (study scoring, activation maps, SEG) never knows which one ran.
 */

export type EngineKind = 'onnx' | 'tfjs';

export interface EngineOutput {
  /** N × 2 softmax, row-major: [p(normal), p(cancer)] per image. */
  cancer: Float32Array;
  /** N × 4 softmax over stages I–IV. */
  stage: Float32Array;
  /** N × h × w × C (NHWC) last-block feature map, for class activation maps. */
  features: Float32Array;
  /** [h, w, C] of one image's feature map. */
  featureShape: [number, number, number];
}

export interface InferenceEngine {
  readonly kind: EngineKind;
  /** Where it runs: 'cpu' | 'cuda' for onnx; 'tensorflow' | 'wasm' | 'cpu' for tfjs. */
  readonly backend: string;
  /** S: inputs are S × S × 3 per image. */
  readonly inputSize: number;
  /** `input` holds n images, N × S × S × 3 NHWC float32, already normalised. */
  run(input: Float32Array, n: number): Promise<EngineOutput>;
  dispose(): Promise<void>;
}

export class EngineInputError extends Error {
  override readonly name = 'EngineInputError';
}

/** Shared argument check: a wrong length would otherwise surface as an opaque native error. */
export function checkEngineInput(input: Float32Array, n: number, inputSize: number): void {
  const expected = n * inputSize * inputSize * 3;
  if (!Number.isInteger(n) || n < 1) throw new EngineInputError(`batch size must be a positive integer, got ${n}`);
  if (input.length !== expected) {
    throw new EngineInputError(`expected ${n} × ${inputSize} × ${inputSize} × 3 = ${expected} floats, got ${input.length}`);
  }
}
