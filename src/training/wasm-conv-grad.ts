/**
 * The filter gradient of a 2-D convolution for TF.js' wasm backend, which ships no `Conv2DBackpropFilter` kernel:
 * without it every conv layer (plain or fused; the fused kernel's custom gradient calls the same kernel) fails to
 * train on wasm, and the pure-JS cpu kernel is ~50x slower.
 *
 *   dW[kh, kw, ci, co] = Σ_{n, oy, ox} xpad[n, oy·s + kh, ox·s + kw, ci] · dy[n, oy, ox, co]
 *
 * is computed as one matrix product per group of filter taps, with wasm's own kernels called kernel to kernel:
 *   xT   = Transpose(x) → [Ci, N, H, W], zero-padded to cover every tap (PadV2)
 *   P    = for each tap (kh, kw) in the group: StridedSlice(xT)[:, :, kh::s, kw::s] as [Ci, N·OH·OW], concatenated
 *          along axis 0 → [g·Ci, M]   (tap-major, then ci: exactly dW's row order)
 *   dW   = Concat over groups of BatchMatMul(P, dy as [M, Co]) → [KH·KW·Ci, Co] = [KH, KW, Ci, Co]
 *
 * Why this form (measured on the 2-vCPU AVX-512 build host, wasm SIMD, 1 thread, ResNet50 stage-5 shapes):
 * - wasm's BatchMatMul is XNNPACK only without transposes (~29 GFLOP/s: [1024,784]·[784,512] 28 ms); transposeA
 *   falls back to a naive loop (1620 ms, 60x slower) and transposeB to another (390 ms). So x is transposed once
 *   (~1 ms per million floats) and the product is taken without transposes.
 * - The alternative "dilated Conv2D" (x as [Ci, Hp, Wp, N], dy as the filter [OH, OW, N, Co], dilation = stride)
 *   is XNNPACK's conv with only N input channels per tap: 172 ms for the 3x3 stage-5 gradient at batch 16, against
 *   ~130 ms as im2col + matmul.
 * - Taps share one matmul (im2col) so that thin inputs (conv1: Ci = 3, 49 taps) make one product with K = 147 rows
 *   rather than 49 with 3; the group size is bounded so the patch matrix stays under PATCH_FLOATS (the wasm heap is
 *   4 GB). The same dy is the right-hand side of every group's product: XNNPACK packs it once (its operator cache is
 *   keyed by that tensor).
 */
import * as tf from '@tensorflow/tfjs';

type Backend = tf.KernelBackend & { disposeData(dataId: object, force?: boolean): boolean };
type Info = tf.TensorInfo;

/** Largest patch matrix built at once, in float32 elements (64 MB). */
const PATCH_FLOATS = 16 * 1024 * 1024;

interface FilterGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** Calls another wasm kernel directly on TensorInfos (no tensors, no tape); the caller disposes what it returns. */
function run(backend: Backend, name: string, inputs: tf.NamedTensorInfoMap | Info[], attrs: object): Info {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

/** Intermediates of one gradient, freed together; only the result survives. */
class Scratch {
  private readonly held: Info[] = [];
  constructor(readonly backend: Backend) {}
  keep(info: Info): Info {
    this.held.push(info);
    return info;
  }
  call(name: string, inputs: tf.NamedTensorInfoMap | Info[], attrs: object): Info {
    return this.keep(run(this.backend, name, inputs, attrs));
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

function conv2dBackpropFilterWasm(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): Info {
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const attrs = args.attrs as unknown as FilterGradAttrs;
  const backend = args.backend as Backend;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropFilter on wasm needs float32 x and dy, got ${x.dtype} and ${dy.dtype}`);
  }
  const channelsLast = attrs.dataFormat !== 'NCHW';
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad,
    attrs.dimRoundingMode, false, channelsLast ? 'channelsLast' : 'channelsFirst');
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sy, strideWidth: sx, outHeight: oh, outWidth: ow } = info;
  const m = n * oh * ow;

  const scratch = new Scratch(backend);
  try {
    if (m === 0) return run(backend, 'Fill', {}, { shape: attrs.filterShape, value: 0, dtype: 'float32' });
    const xNhwc = channelsLast ? x : scratch.call('Transpose', { x }, { perm: [0, 2, 3, 1] });
    const dyNhwc = channelsLast ? dy : scratch.call('Transpose', { x: dy }, { perm: [0, 2, 3, 1] });
    // dy as [M, Co], M in (n, oy, ox) order: the columns of the patch matrix.
    const dy2 = scratch.call('Reshape', { x: dyNhwc }, { shape: [m, co] });

    // Zero-pad so that every tap's window lies inside and each padded edge is a multiple of its stride; then view
    // x as [N, Hq, sy, Wq, sx, Ci]: tap (ty, tx) reads phase (ty % sy, tx % sx) from offset (ty / sy, tx / sx) on, so
    // every window is a unit-stride slice (wasm's StridedSlice is ~40x slower per element with stride 2).
    const { top, left } = info.padInfo;
    const hq = Math.ceil(Math.max(top + h, (oh - 1) * sy + kh) / sy);
    const wq = Math.ceil(Math.max(left + w, (ow - 1) * sx + kw) / sx);
    const bottom = hq * sy - top - h;
    const right = wq * sx - left - w;
    const xPad = top > 0 || left > 0 || bottom > 0 || right > 0
      ? scratch.call('PadV2', { x: xNhwc }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 })
      : xNhwc;
    const phases = scratch.call('Reshape', { x: xPad }, { shape: [n, hq, sy, wq, sx, ci] });
    const window = (source: Info, begin: number[], size: number[]): Info => scratch.call('StridedSlice', { x: source }, {
      begin, end: begin.map((b, i) => b + size[i]), strides: begin.map(() => 1),
      beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
    });

    if (kh === 1 && kw === 1) {
      // One tap reads one phase: cut it out before transposing (a quarter of x at stride 2).
      const cut = window(phases, [0, 0, 0, 0, 0, 0], [n, oh, 1, ow, 1, ci]);
      const rows = scratch.call('Reshape', { x: cut }, { shape: [m, ci] });
      const patches = scratch.call('Transpose', { x: rows }, { perm: [1, 0] });
      const dw = scratch.call('BatchMatMul', { a: patches, b: dy2 }, { transposeA: false, transposeB: false });
      return scratch.release(scratch.call('Reshape', { x: dw }, { shape: attrs.filterShape }));
    }

    // x as [sy, sx, Ci, N, Hq, Wq], transposed once for all taps.
    const xT = scratch.call('Transpose', { x: phases }, { perm: [2, 4, 5, 0, 1, 3] });
    for (const t of [phases, xPad]) scratch.free(t);
    const taps = kh * kw;
    const group = Math.max(1, Math.min(taps, Math.floor(PATCH_FLOATS / (ci * m))));
    const parts: Info[] = [];
    for (let first = 0; first < taps; first += group) {
      const rows: Info[] = [];
      for (let t = first; t < Math.min(taps, first + group); t++) {
        const ty = Math.floor(t / kw);
        const tx = t % kw;
        const cut = window(xT, [ty % sy, tx % sx, 0, 0, Math.floor(ty / sy), Math.floor(tx / sx)], [1, 1, ci, n, oh, ow]);
        rows.push(scratch.call('Reshape', { x: cut }, { shape: [ci, m] }));
        scratch.free(cut);
      }
      const patches = rows.length === 1 ? rows[0] : scratch.call('Concat', rows, { axis: 0 });
      if (rows.length > 1) for (const r of rows) scratch.free(r);
      parts.push(scratch.call('BatchMatMul', { a: patches, b: dy2 }, { transposeA: false, transposeB: false }));
      scratch.free(patches);
    }
    const dw = parts.length === 1 ? parts[0] : scratch.call('Concat', parts, { axis: 0 });
    return scratch.release(scratch.call('Reshape', { x: dw }, { shape: attrs.filterShape }));
  } finally {
    scratch.disposeAll();
  }
}

/**
 * Registers `Conv2DBackpropFilter` for the wasm backend (once per process; later calls do nothing). Call it before
 * training on wasm; it does not initialise or select the backend.
 */
export function registerWasmConv2DBackpropFilter(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: conv2dBackpropFilterWasm as unknown as tf.KernelFunc,
  });
}
