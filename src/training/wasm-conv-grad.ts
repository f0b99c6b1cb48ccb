/**
 * The filter gradient of a 2-D convolution for TF.js' wasm backend, which ships no `Conv2DBackpropFilter` kernel:
 * without it every conv layer (plain or fused; the fused kernel's custom gradient calls the same kernel) fails to
 * train on wasm, and the pure-JS cpu kernel is ~50x slower.
 *
 *   dW[kh, kw, ci, co] = Σ_{n, oy, ox} xpad[n, oy·s + kh, ox·s + kw, ci] · dy[n, oy, ox, co]
 *
 * is im2col + one matrix product, with wasm's own kernels called kernel to kernel:
 *   phase(py, px) = xpad[:, py::s, px::s, :] as [Ci, N, Hq, Wq]  (unit-stride slice of a reshape, 2-D transpose)
 *   P  = for each tap (kh, kw): phase(kh % s, kw % s)[:, :, kh / s .., kw / s ..] as [Ci, N·OH·OW], concatenated
 *        along axis 0 → [KH·KW·Ci, M]   (tap-major, then ci: exactly dW's row order)
 *   dW = BatchMatMul(P, dy as [M, Co]) → [KH·KW·Ci, Co] = [KH, KW, Ci, Co]
 * A 1x1 kernel needs one phase and no concat: a single transpose and matmul.
 *
 * Why this form (2-vCPU AVX-512 host, wasm SIMD, 1 thread, shared with other jobs; ResNet50 stage 5, batch 16):
 * - wasm's BatchMatMul is XNNPACK only without transposes (~29 GFLOP/s: [1024,784]·[784,512] 28 ms); transposeA
 *   falls back to a naive loop (1620 ms) and transposeB to another (390 ms). So x is transposed (2-D transposes cost
 *   ~1 ms per million floats) and the product is taken without transposes.
 * - wasm's StridedSlice is ~5x slower per element at stride 2 than at stride 1, and rank-5/6 slices and transposes
 *   take a generic path ~25x slower than rank <= 4: hence strides as phases of a 4-D view, never strided slices.
 * - Measured, forward conv / this dW: 1x1 s2 14x14x1024→2048 117 / 122 ms; 1x1 s2 →512 29 / 33 ms; 3x3 7x7x512→512
 *   125 / 181 ms; 1x1 7x7x512→2048 55 / 56 ms; conv1 7x7 s2 at 224 px, batch 8: 83 / 168 ms. The alternative
 *   "dilated Conv2D" (x as [Ci, Hp, Wp, N], dy as the filter [OH, OW, N, Co], dilation = stride) was about as fast
 *   for the 3x3 (172 ms next to a 132 ms forward) but 3-4x slower for the 1x1 stride 2 (114 ms against ~33 ms):
 *   XNNPACK then runs 49 taps of only N input channels each.
 * - Taps share one product so that thin inputs (conv1: Ci = 3, 49 taps) make one matmul with 147 rows rather than
 *   49 with 3; the patch matrix is capped at PATCH_FLOATS (the wasm heap is 4 GB) by splitting the taps into groups.
 *   The same dy is every group's right-hand side, which XNNPACK packs once (its operator cache is keyed by it).
 * The forward conv and wasm's own Conv2DBackpropInput (a naive loop, ~10x the forward) are unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { Backend, Info, runWasmKernel, Scratch } from './wasm-kernel-scratch';

/** Largest patch matrix built at once, in float32 elements (64 MB). */
const PATCH_FLOATS = 16 * 1024 * 1024;

interface FilterGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
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
    if (m === 0) return runWasmKernel(backend, 'Fill', {}, { shape: attrs.filterShape, value: 0, dtype: 'float32' });
    const xNhwc = channelsLast ? x : scratch.call('Transpose', { x }, { perm: [0, 2, 3, 1] });
    const dyNhwc = channelsLast ? dy : scratch.call('Transpose', { x: dy }, { perm: [0, 2, 3, 1] });
    // dy as [M, Co], M in (n, oy, ox) order: the columns of the patch matrix.
    const dy2 = scratch.call('Reshape', { x: dyNhwc }, { shape: [m, co] });

    // Zero-pad so that every tap's window lies inside and each padded edge is a multiple of its stride. Tap (ty, tx)
    // then reads phase (ty % sy, tx % sx) of x, i.e. x[:, ty % sy :: sy, tx % sx :: sx, :], from offset
    // (ty / sy, tx / sx) on, so every window is a unit-stride slice. Only rank <= 4 slices and rank-2 transposes are
    // used: wasm's StridedSlice is ~5x slower per element with stride 2, and rank-5/6 slices and transposes take a
    // slow generic path (~25x).
    const { top, left } = info.padInfo;
    const hq = Math.ceil(Math.max(top + h, (oh - 1) * sy + kh) / sy);
    const wq = Math.ceil(Math.max(left + w, (ow - 1) * sx + kw) / sx);
    const bottom = hq * sy - top - h;
    const right = wq * sx - left - w;
    const xPad = top > 0 || left > 0 || bottom > 0 || right > 0
      ? scratch.call('PadV2', { x: xNhwc }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 })
      : xNhwc;
    const slice = (source: Info, begin: number[], size: number[]): Info => scratch.call('StridedSlice', { x: source }, {
      begin, end: begin.map((b, i) => b + size[i]), strides: begin.map(() => 1),
      beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
    });
    /** Phase (py, px) of the padded x as [Ci, N·rows·cols] (channels first), its top-left rows × cols only. */
    const phaseT = (py: number, px: number, rows: number, cols: number): Info => {
      const view = scratch.call('Reshape', { x: xPad }, { shape: [n * hq, sy, wq, sx * ci] });
      const phase = slice(view, [0, py, 0, px * ci], [n * hq, 1, wq, ci]);
      const image = scratch.call('Reshape', { x: phase }, { shape: [n, hq, wq, ci] });
      const cut = rows === hq && cols === wq ? image : slice(image, [0, 0, 0, 0], [n, rows, cols, ci]);
      const flat = scratch.call('Reshape', { x: cut }, { shape: [n * rows * cols, ci] });
      const transposed = scratch.call('Transpose', { x: flat }, { perm: [1, 0] });
      for (const t of [view, phase, image, cut, flat]) scratch.free(t);
      return transposed;
    };

    if (kh === 1 && kw === 1) {
      // One tap reads one phase, and only its first OH × OW positions.
      const patches = phaseT(0, 0, oh, ow);
      const dw = scratch.call('BatchMatMul', { a: patches, b: dy2 }, { transposeA: false, transposeB: false });
      return scratch.release(scratch.call('Reshape', { x: dw }, { shape: attrs.filterShape }));
    }

    // Each phase that some tap reads, channels first as [Ci, N, Hq, Wq].
    const phases = new Map<number, Info>();
    const phaseOf = (py: number, px: number): Info => {
      const key = py * sx + px;
      let p = phases.get(key);
      if (p === undefined) {
        const flat = phaseT(py, px, hq, wq);
        p = scratch.call('Reshape', { x: flat }, { shape: [ci, n, hq, wq] });
        scratch.free(flat);
        phases.set(key, p);
      }
      return p;
    };
    const taps = kh * kw;
    for (let t = 0; t < taps; t++) phaseOf(Math.floor(t / kw) % sy, (t % kw) % sx);
    scratch.free(xPad);
    const group = Math.max(1, Math.min(taps, Math.floor(PATCH_FLOATS / (ci * m))));
    const parts: Info[] = [];
    for (let first = 0; first < taps; first += group) {
      const rows: Info[] = [];
      for (let t = first; t < Math.min(taps, first + group); t++) {
        const ty = Math.floor(t / kw);
        const tx = t % kw;
        const cut = slice(phaseOf(ty % sy, tx % sx), [0, 0, Math.floor(ty / sy), Math.floor(tx / sx)], [ci, n, oh, ow]);
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
