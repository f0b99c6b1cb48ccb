/**
 * The `onnx` engine: onnxruntime-node on the graph our exporter wrote. ResNet50 at 224 px: ~36 ms/img on a 2-vCPU
 * Xeon (measured for the design notes on training and GPUs), ~70 ms/img (1 thread) on a busy 2-vCPU EPYC, against
 * 300–480 ms for tfjs-wasm: hence the default serving engine on CPU hosts. Its overhead over a bare session.run is
 * within noise (src/bench/inference.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { checkEngineInput, type EngineOutput, type InferenceEngine } from '../engine';
import { ONNX_INPUT_NAME } from '../onnx/export';

export interface OnnxEngineOptions {
  /** intra-op threads; 0 (default) = every core: one image's convolutions already saturate them. */
  threads?: number;
  /** 'auto' (default) uses CUDA when its provider library is installed, false forces the CPU. */
  cuda?: 'auto' | boolean;
  /**
   * Let idle intra-op threads spin (onnxruntime's default, true). On a CPU shared with other busy processes spinning
   * threads fight them: measured here at 224 px, batch 1, load ≈ 2.5 on 2 cores: 2 threads 131 ms spinning, 104 ms
   * not, 1 thread 71 ms.
   */
  spinning?: boolean;
}

/**
 * onnxruntime-node ships the CPU provider; the CUDA one is a separate library copied next to the binding on GPU hosts
 * (`--onnxruntime-node-install=cuda12`, see README.md, "CPU and GPU"), so its presence is the test.
 */
export function onnxCudaAvailable(): boolean {
  try {
    const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = path.join(root, 'bin', 'napi-v6', process.platform, process.arch);
    return fs.existsSync(path.join(dir, process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

function sessionOptions(threads: number, providers: string[], spinning: boolean): ort.InferenceSession.SessionOptions {
  return {
    extra: { session: { intra_op: { allow_spinning: spinning ? '1' : '0' } } },
    executionProviders: providers,
    intraOpNumThreads: threads === 0 ? os.cpus().length : threads,
    // One graph, no parallel branches worth scheduling: inter-op threads would only compete with intra-op ones.
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
}

function tensorDims(meta: ort.InferenceSession.ValueMetadata | undefined, name: string): readonly (number | string)[] {
  if (!meta || !meta.isTensor) throw new Error(`ONNX graph has no tensor '${name}'`);
  return meta.shape;
}

export class OnnxEngine implements InferenceEngine {
  readonly kind = 'onnx' as const;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly backend: string,
    readonly inputSize: number,
    private readonly featureShape: [number, number, number],
  ) {}

  /** Opens a session on ONNX bytes written by exportOnnx (input `input`, outputs cancer, stage, features). */
  static async create(onnxBytes: Uint8Array, options: OnnxEngineOptions = {}): Promise<OnnxEngine> {
    const threads = options.threads ?? 0;
    const spinning = options.spinning ?? true;
    const wantCuda = options.cuda === true || (options.cuda !== false && onnxCudaAvailable());
    let session: ort.InferenceSession;
    let backend = 'cpu';
    if (wantCuda) {
      try {
        session = await ort.InferenceSession.create(onnxBytes, sessionOptions(threads, ['cuda', 'cpu'], spinning));
        backend = 'cuda';
      } catch (error) {
        if (options.cuda === true) throw error;
        // A CUDA library without a working driver/cuDNN: serve on the CPU rather than not at all.
        session = await ort.InferenceSession.create(onnxBytes, sessionOptions(threads, ['cpu'], spinning));
      }
    } else {
      session = await ort.InferenceSession.create(onnxBytes, sessionOptions(threads, ['cpu'], spinning));
    }
    const meta = (name: string) => [...session.inputMetadata, ...session.outputMetadata].find((m) => m.name === name);
    const input = tensorDims(meta(ONNX_INPUT_NAME), ONNX_INPUT_NAME);
    const features = tensorDims(meta('features'), 'features');
    const fixed = (d: number | string): number => {
      if (typeof d !== 'number') throw new Error(`ONNX graph has a symbolic spatial dimension ${d}`);
      return d;
    };
    return new OnnxEngine(session, backend, fixed(input[1]), [fixed(features[1]), fixed(features[2]), fixed(features[3])]);
  }

  async run(input: Float32Array, n: number): Promise<EngineOutput> {
    checkEngineInput(input, n, this.inputSize);
    const s = this.inputSize;
    const result = await this.session.run({ [ONNX_INPUT_NAME]: new ort.Tensor('float32', input, [n, s, s, 3]) });
    const data = (name: string): Float32Array => result[name].data as Float32Array;
    return {
      cancer: data('cancer'), stage: data('stage'), features: data('features'), featureShape: this.featureShape,
    };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
