/** Runs any number of images through an engine in fixed-size batches and joins the results in input order. */
import { EngineInputError, type EngineOutput, type InferenceEngine } from '../engine';

export async function runBatched(engine: InferenceEngine, inputs: readonly Float32Array[], batchSize: number): Promise<EngineOutput> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new EngineInputError(`batchSize must be >= 1, got ${batchSize}`);
  const perImage = engine.inputSize * engine.inputSize * 3;
  inputs.forEach((x, i) => {
    if (x.length !== perImage) throw new EngineInputError(`input ${i}: expected ${perImage} floats, got ${x.length}`);
  });
  if (inputs.length === 0) throw new EngineInputError('no inputs');

  const parts: EngineOutput[] = [];
  // One batch buffer reused: the engines copy the input before returning.
  const buffer = new Float32Array(Math.min(batchSize, inputs.length) * perImage);
  for (let start = 0; start < inputs.length; start += batchSize) {
    const n = Math.min(batchSize, inputs.length - start);
    for (let i = 0; i < n; i++) buffer.set(inputs[start + i], i * perImage);
    parts.push(await engine.run(buffer.subarray(0, n * perImage), n));
  }
  return parts.length === 1 ? parts[0] : join(parts);
}

function concat(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) { out.set(a, at); at += a.length; }
  return out;
}

function join(parts: EngineOutput[]): EngineOutput {
  return {
    cancer: concat(parts.map((p) => p.cancer)),
    stage: concat(parts.map((p) => p.stage)),
    features: concat(parts.map((p) => p.features)),
    featureShape: parts[0].featureShape,
  };
}
