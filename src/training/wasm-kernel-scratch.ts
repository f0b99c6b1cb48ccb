/**
 * Kernel-to-kernel calls on the wasm backend, for the gradient kernels we add (wasm-conv-grad.ts,
 * wasm-conv-input-grad.ts): they compose wasm's own fast kernels on TensorInfos, outside the tape, and free every
 * intermediate themselves.
 */
import * as tf from '@tensorflow/tfjs';

export type Backend = tf.KernelBackend & { disposeData(dataId: object, force?: boolean): boolean };
export type Info = tf.TensorInfo;

/** Calls another wasm kernel directly on TensorInfos (no tensors, no tape); the caller disposes what it returns. */
export function runWasmKernel(backend: Backend, name: string, inputs: tf.NamedTensorInfoMap | Info[], attrs: object): Info {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

/** Intermediates of one gradient, freed together; only the result survives. */
export class Scratch {
  private readonly held: Info[] = [];
  constructor(readonly backend: Backend) {}
  keep(info: Info): Info {
    this.held.push(info);
    return info;
  }
  call(name: string, inputs: tf.NamedTensorInfoMap | Info[], attrs: object): Info {
    return this.keep(runWasmKernel(this.backend, name, inputs, attrs));
  }
  free(info: Info): void {
    const i = this.held.indexOf(info);
    if (i >= 0) {
      this.held.splice(i, 1);
      this.backend.disposeData(info.dataId);
    }
  }
  /** Hands `info` to the caller and frees everything else. */
  release(info: Info): Info {
    const i = this.held.indexOf(info);
    if (i >= 0) this.held.splice(i, 1);
    this.disposeAll();
    return info;
  }
  disposeAll(): void {
    for (const info of this.held.splice(0)) this.backend.disposeData(info.dataId);
  }
}
