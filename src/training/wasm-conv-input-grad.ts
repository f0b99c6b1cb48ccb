/**
 * The input gradient of a 2-D convolution (`Conv2DBackpropInput`) for TF.js' wasm backend. wasm ships one, but it is
 * a naive loop at ~10x the forward conv time, ~75 % of a ResNet50 stage-5 training step. This kernel replaces it for
 * the cases ResNet50's trainable tail uses and hands every other case to wasm's own kernel:
 *
 *   dx[n, y, x, ci] = Σ_{kh, kw, co} dy[n, oy, ox, co] · W[kh, kw, ci, co]   where y = oy·s + kh − top, x likewise
 *
 * built kernel to kernel from wasm's fast kernels (XNNPACK BatchMatMul without transposes, XNNPACK Conv2D, rank <= 4
 * reshapes, pads and unit-stride slices; see wasm-conv-grad.ts for why those and not others):
 * - 1x1, any stride, no leading padding: g = dy as [M, Co] · Wᵀ as [Co, Ci] (W transposed once per call, so the
 *   product needs no transpose flag: transposeB falls back to a naive loop on wasm). With stride s the rows of g are
 *   dx at the stride grid only: they are scattered into zeros by two zero pads of rank-3 views, [M, 1, Ci] → [M, sx,
 *   Ci] (interleaves columns) and [N·OH, 1, OW·sx·Ci] → [N·OH, sy, OW·sx·Ci] (interleaves rows), then a unit-stride
 *   slice drops the extra row/column an odd edge leaves. No strided slice, no scatter kernel.
 * - KxK, stride 1, each padding < K (so 'same' and 'valid'): dx is the "full" correlation of dy with W rotated by 180°
 *   and its channels swapped, i.e. one forward Conv2D (XNNPACK) of dy with W'[a, b, co, ci] = W[K−1−a, K−1−b, ci, co]
 *   and padding K−1−top / K−1−bottom (rows) and K−1−left / K−1−right (columns). W' is [KH·KW, Ci·Co]'s rows sliced in
 *   reverse order and concatenated, then a rank-3 transpose to [KH·KW, Co, Ci].
 * - Everything else (strided KxK such as conv1's 7x7/2, which is frozen in our training; explicit padding wider than
 *   the kernel; NCHW; non-float32) is delegated to the kernel function wasm registered, kept from registration.
 *
 * Measured (2-vCPU AVX-512 host shared with a training run, wasm SIMD, 1 thread; batch 16, ResNet50 stage 5; best of
 * 3), forward conv / wasm's own dx / this dx, identical results:
 *   1x1 s1 7x7x512→2048     56 /  728 /  60 ms   one matmul; the Wᵀ transpose is ~2 ms per million floats
 *   1x1 s1 7x7x2048→512     53 /  711 /  67 ms
 *   1x1 s2 14x14x1024→2048 113 / 1398 / 143 ms   the matmul is the forward's; the two pads of dx add ~25 ms
 *   1x1 s2 14x14x1024→512   29 /  362 /  41 ms
 *   3x3 s1 7x7x512→512     127 / 1255 / 193 ms   conv 127 + XNNPACK packing the new filter ~13 + rotation ~30 ms
 * Training step (SGD, batch 16, all kernels): conv5_block3 + heads from [7,7,2048] 3588 → 1194 ms; stage 5 from
 * [14,14,1024] 12345 → 5434 ms.
 * Rejected: wasm's Reverse for the filter rotation (71 ms for 3x3x512x512, against ~19 ms for unit-stride row slices
 * and one concat; GatherV2 79 ms); a zero-interleaved [Co, sx·Ci] right-hand side for the 1x1 stride 2 scatter (it
 * doubles the matmul's FLOPs, ~+110 ms, where the pads cost ~25 ms).
 */
import * as tf from '@tensorflow/tfjs';
import { Backend, Info, runWasmKernel, Scratch } from './wasm-kernel-scratch';

interface InputGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

/** wasm's own Conv2DBackpropInput, for the cases this kernel does not take. */
let original: tf.KernelConfig | undefined;

function delegate(args: KernelArgs): Info {
  if (original === undefined) throw new Error('registerWasmConv2DBackpropInput() has not run');
  return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as Info;
}

/** dx for a 1x1 kernel with no leading padding: dy·Wᵀ on the stride grid, scattered into zeros. */
function oneByOne(scratch: Scratch, dy: Info, filter: Info, info: tf.backend_util.Conv2DInfo): Info {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  const { strideHeight: sy, strideWidth: sx, outHeight: oh, outWidth: ow } = info;
  const m = n * oh * ow;
  const w2 = scratch.call('Reshape', { x: filter }, { shape: [ci, co] });
  const wT = scratch.call('Transpose', { x: w2 }, { perm: [1, 0] });
  scratch.free(w2);
  const dy2 = scratch.call('Reshape', { x: dy }, { shape: [m, co] });
  let g = scratch.call('BatchMatMul', { a: dy2, b: wT }, { transposeA: false, transposeB: false }); // [M, Ci]
  scratch.free(dy2);
  scratch.free(wT);
  const pad = (x: Info, shape: number[], paddings: number[][]): Info => {
    const view = scratch.call('Reshape', { x }, { shape });
    const padded = scratch.call('PadV2', { x: view }, { paddings, constantValue: 0 });
    scratch.free(view);
    scratch.free(x);
    return padded;
  };
  if (sx > 1) g = pad(g, [m, 1, ci], [[0, 0], [0, sx - 1], [0, 0]]); // columns interleaved: [M, sx, Ci]
  if (sy > 1) g = pad(g, [n * oh, 1, ow * sx * ci], [[0, 0], [0, sy - 1], [0, 0]]); // rows: [N·OH, sy, OW·sx·Ci]
  const full = scratch.call('Reshape', { x: g }, { shape: [n, oh * sy, ow * sx, ci] });
  scratch.free(g);
  if (oh * sy === h && ow * sx === w) return full;
  return scratch.call('Slice', { x: full }, { begin: [0, 0, 0, 0], size: [n, h, w, ci] });
}

/** dx for stride 1: a forward conv of dy with the filter rotated by 180° and its channels swapped. */
function strideOne(scratch: Scratch, dy: Info, filter: Info, info: tf.backend_util.Conv2DInfo): Info {
  const { inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw } = info;
  const { top, bottom, left, right } = info.padInfo;
  // Taps in reverse order: wasm's Reverse (and GatherV2) take ~75 ms for a 3x3x512x512 filter, unit-stride row
  // slices and one concat ~20 ms.
  const taps = kh * kw;
  const rows = scratch.call('Reshape', { x: filter }, { shape: [taps, ci * co] });
  const tapRows: Info[] = [];
  for (let t = taps - 1; t >= 0; t--) tapRows.push(scratch.call('Slice', { x: rows }, { begin: [t, 0], size: [1, ci * co] }));
  const reversed = taps === 1 ? rows : scratch.call('Concat', tapRows, { axis: 0 });
  for (const r of tapRows) scratch.free(r);
  const flat = scratch.call('Reshape', { x: reversed }, { shape: [taps, ci, co] });
  scratch.free(reversed);
  scratch.free(rows);
  const swapped = scratch.call('Transpose', { x: flat }, { perm: [0, 2, 1] });
  scratch.free(flat);
  const rotated = scratch.call('Reshape', { x: swapped }, { shape: [kh, kw, co, ci] });
  scratch.free(swapped);
  return scratch.call('Conv2D', { x: dy, filter: rotated }, {
    strides: 1, dilations: 1, dataFormat: 'NHWC', dimRoundingMode: undefined,
    pad: [[0, 0], [kh - 1 - top, kh - 1 - bottom], [kw - 1 - left, kw - 1 - right], [0, 0]],
  });
}

function conv2dBackpropInputWasm(args: KernelArgs): Info {
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  const attrs = args.attrs as unknown as InputGradAttrs;
  if (attrs.dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32') return delegate(args);
  const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape as [number, number, number, number],
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const { filterHeight: kh, filterWidth: kw, strideHeight: sy, strideWidth: sx, outHeight: oh, outWidth: ow } = info;
  const { top, bottom, left, right } = info.padInfo;
  const pointwise = kh === 1 && kw === 1 && top === 0 && left === 0 && oh * sy >= info.inHeight && ow * sx >= info.inWidth;
  const unitStride = sy === 1 && sx === 1 && Math.max(top, bottom) < kh && Math.max(left, right) < kw;
  if (!pointwise && !unitStride) return delegate(args);
  const backend = args.backend as Backend;
  if (info.batchSize * oh * ow === 0 || info.inChannels === 0) {
    return runWasmKernel(backend, 'Fill', {}, { shape: attrs.inputShape, value: 0, dtype: 'float32' });
  }
  const scratch = new Scratch(backend);
  try {
    return scratch.release(pointwise ? oneByOne(scratch, dy, filter, info) : strideOne(scratch, dy, filter, info));
  } finally {
    scratch.disposeAll();
  }
}

/**
 * Replaces wasm's `Conv2DBackpropInput` with the faster one above (once per process; later calls do nothing). The
 * wasm backend's kernels must be registered (its package loaded); it need not be initialised or selected.
 */
export function registerWasmConv2DBackpropInput(): void {
  const current = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (current === undefined) throw new Error('the wasm backend is not loaded: it has no Conv2DBackpropInput kernel to replace');
  if (current.kernelFunc === (conv2dBackpropInputWasm as unknown as tf.KernelFunc)) return;
  original = current;
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    // The original's setup (binding its wasm function) still runs if the backend initialises after this call.
    setupFunc: current.setupFunc,
    disposeFunc: current.disposeFunc,
    kernelFunc: conv2dBackpropInputWasm as unknown as tf.KernelFunc,
  });
}
