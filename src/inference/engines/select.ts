/**
 * `engine: auto | onnx | tfjs` from the node config → a running engine.
 *
 * auto: tfjs when the native TensorFlow backend (tfjs-node / tfjs-node-gpu) is installed; otherwise onnx, measured
 * 4–11x faster than tfjs-wasm on our CPUs at 224 px; tfjs (wasm, else cpu) only when onnxruntime-node itself cannot
 * load.
 */
import type * as tf from '@tensorflow/tfjs';
import type { InferenceEngine } from '../engine';
import { loadModel } from '../model/weights-io';
import { cachedOnnx } from '../onnx/cache';
import { exportOnnx } from '../onnx/export';
import { tensorflowBackendAvailable } from './tfjs-backend';

export type EngineChoice = 'auto' | 'onnx' | 'tfjs';

export interface SelectEngineOptions {
  engine: EngineChoice;
  /** onnx intra-op threads, 0 = all cores. tfjs backends choose their own. */
  threads?: number;
  /** Model folder (model.json + shards); the ONNX graph is cached there. */
  modelDir?: string;
  /** An already loaded model; with modelDir it must be that folder's model. */
  model?: tf.LayersModel;
  /** onnx: 'auto' uses CUDA when its provider library is installed. */
  cuda?: 'auto' | boolean;
  /** onnx: idle threads spin (default true); false on CPUs shared with other busy processes. */
  spinning?: boolean;
}

async function createOnnx(options: SelectEngineOptions): Promise<InferenceEngine> {
  const { OnnxEngine } = await import('./onnx-engine'); // lazily: onnxruntime-node's binding may be missing
  const bytes = options.modelDir ? (await cachedOnnx(options.modelDir, options.model)).bytes : exportOnnx(options.model!);
  return OnnxEngine.create(bytes, { threads: options.threads, cuda: options.cuda, spinning: options.spinning });
}

async function createTfjs(options: SelectEngineOptions): Promise<InferenceEngine> {
  const { TfjsEngine } = await import('./tfjs-engine');
  const { initTfjsBackend } = await import('./tfjs-backend');
  await initTfjsBackend(); // before loading, so the weights go straight to the chosen backend
  return TfjsEngine.create(options.model ?? (await loadModel(options.modelDir!)));
}

function onnxRuntimeLoads(): boolean {
  try {
    require('onnxruntime-node');
    return true;
  } catch {
    return false;
  }
}

/** The engine kind `auto` resolves to on this host. */
export function resolveAutoEngine(): 'onnx' | 'tfjs' {
  if (tensorflowBackendAvailable()) return 'tfjs';
  return onnxRuntimeLoads() ? 'onnx' : 'tfjs';
}

export async function selectEngine(options: SelectEngineOptions): Promise<InferenceEngine> {
  if (!options.modelDir && !options.model) throw new Error('selectEngine needs modelDir or model');
  const kind = options.engine === 'auto' ? resolveAutoEngine() : options.engine;
  return kind === 'onnx' ? createOnnx(options) : createTfjs(options);
}
