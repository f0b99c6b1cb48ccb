/**
 * Picks the best TF.js backend present at run time. tfjs-node(-gpu) cannot be installed on our CPU machines (its
 * install downloads libtensorflow), so it is never a dependency: we try to require it and fall back to wasm, then cpu.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

export type TfjsBackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Native TensorFlow bindings, GPU build first; either registers the 'tensorflow' backend when required. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

let nativeProbe: boolean | undefined;
let chosen: Promise<TfjsBackendName> | undefined;

/** Whether a tfjs-node package loads and registered its backend with our tfjs (same @tensorflow/tfjs-core). */
export function tensorflowBackendAvailable(): boolean {
  if (nativeProbe === undefined) {
    nativeProbe = false;
    for (const name of NATIVE_PACKAGES) {
      try {
        require(name);
        nativeProbe = tf.findBackendFactory('tensorflow') !== null;
        if (nativeProbe) break;
      } catch {
        // not installed, or its native library failed to load
      }
    }
  }
  return nativeProbe;
}

async function initWasm(): Promise<boolean> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // In Node the .wasm binaries are read from disk; tfjs would otherwise look next to the bundled script.
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(dist + path.sep);
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

async function choose(): Promise<TfjsBackendName> {
  if (tensorflowBackendAvailable() && (await tf.setBackend('tensorflow'))) return 'tensorflow';
  if (await initWasm()) return 'wasm';
  await tf.setBackend('cpu');
  return 'cpu';
}

/** Selects and initialises the backend once per process (tfjs has one global backend) and says which it is. */
export function initTfjsBackend(): Promise<TfjsBackendName> {
  chosen ??= choose().then(async (name) => {
    await tf.ready();
    return name;
  });
  return chosen;
}
