/**
 * Inference timing: our onnx engine, onnxruntime's own session.run on the same graph and input (the floor our
 * wrapper should stay within 1.2x of), and tfjs on its best backend here. Called by a CLI verb; returns numbers only.
 */
import * as os from 'node:os';
import * as ort from 'onnxruntime-node';
import type * as tf from '@tensorflow/tfjs';
import { OnnxEngine } from '../inference/engines/onnx-engine';
import { TfjsEngine } from '../inference/engines/tfjs-engine';
import { initTfjsBackend } from '../inference/engines/tfjs-backend';
import type { InferenceEngine } from '../inference/engine';
import { buildGastricResNet50 } from '../inference/model/resnet50';
import { loadModel } from '../inference/model/weights-io';
import { exportOnnx, ONNX_INPUT_NAME } from '../inference/onnx/export';

export interface BenchOptions {
  inputSize?: number;
  batchSizes?: number[];
  /** Timed runs per (runner, batch) after one warm-up; the median is reported. */
  runs?: number;
  /** tfjs is ~10x slower: fewer runs keep the bench short. */
  tfjsRuns?: number;
  threads?: number;
  /** A saved model folder; default a freshly built ResNet50 (speed does not depend on the weights). */
  modelDir?: string;
  includeTfjs?: boolean;
}

export interface BenchRow {
  /** onnx-engine, onnx-raw, tfjs-<backend>. */
  runner: string;
  batch: number;
  /** Median over runs of (run time / batch). */
  msPerImage: number;
  /** Fastest run / batch: steadier than the median when other processes share the CPU. */
  minMsPerImage: number;
  runs: number;
}

export interface BenchResult {
  inputSize: number;
  threads: number;
  cpu: string;
  cores: number;
  rows: BenchRow[];
  /** onnx-engine / onnx-raw per batch size. */
  engineOverRaw: Record<number, number>;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (runner: string, batch: number, times: number[]): BenchRow => ({
  runner, batch, msPerImage: median(times) / batch, minMsPerImage: Math.min(...times) / batch, runs: times.length,
});

function randomInput(length: number): Float32Array {
  let s = 12345;
  return Float32Array.from({ length }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1);
}

type Timed = () => Promise<unknown>;

/** Times the runners alternately, so drift (thermal, other load) hits them alike. */
async function timeAlternating(runners: Timed[], runs: number): Promise<number[][]> {
  for (const r of runners) await r(); // warm-up: first-run allocations and kernel selection
  const times = runners.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, r] of runners.entries()) {
      const t0 = process.hrtime.bigint();
      await r();
      times[j].push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  return times;
}

export async function benchInference(options: BenchOptions = {}): Promise<BenchResult> {
  const inputSize = options.inputSize ?? 224;
  const batchSizes = options.batchSizes ?? [1, 8];
  const runs = options.runs ?? 10;
  const threads = options.threads ?? 0;
  const intraOp = threads === 0 ? os.cpus().length : threads;
  await initTfjsBackend();
  const model: tf.LayersModel = options.modelDir
    ? await loadModel(options.modelDir)
    : buildGastricResNet50({ inputSize, seed: 1 });
  const bytes = exportOnnx(model);

  const engine = await OnnxEngine.create(bytes, { threads, cuda: false });
  // The raw session gets exactly the options the engine uses.
  const raw = await ort.InferenceSession.create(bytes, {
    extra: { session: { intra_op: { allow_spinning: '1' } } },
    executionProviders: ['cpu'], intraOpNumThreads: intraOp, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const rows: BenchRow[] = [];
  const engineOverRaw: Record<number, number> = {};
  for (const batch of batchSizes) {
    const input = randomInput(batch * inputSize * inputSize * 3);
    const [e, r] = await timeAlternating([
      () => engine.run(input, batch),
      () => raw.run({ [ONNX_INPUT_NAME]: new ort.Tensor('float32', input, [batch, inputSize, inputSize, 3]) }),
    ], runs);
    rows.push(row('onnx-engine', batch, e), row('onnx-raw', batch, r));
    engineOverRaw[batch] = median(e) / median(r);
  }
  await engine.dispose();
  await raw.release();

  if (options.includeTfjs ?? true) {
    const tfjs: InferenceEngine = await TfjsEngine.create(model);
    const tfjsRuns = options.tfjsRuns ?? 3;
    for (const batch of batchSizes) {
      const input = randomInput(batch * inputSize * inputSize * 3);
      const [t] = await timeAlternating([() => tfjs.run(input, batch)], tfjsRuns);
      rows.push(row(`tfjs-${tfjs.backend}`, batch, t));
    }
    await tfjs.dispose();
  } else {
    model.dispose();
  }
  return { inputSize, threads: intraOp, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, rows, engineOverRaw };
}
