/**
 * Folding an inference-mode BatchNormalization into the convolution before it.
 *
 * BN computes y = γ·(x − μ)/√(σ² + ε) + β per output channel o. With x = W∗in + b, let s_o = γ_o/√(σ²_o + ε); then
 *   y = (s_o·W_o)∗in + (b_o − μ_o)·s_o + β_o,
 * i.e. W'_o = s_o·W_o and b'_o = (b_o − μ_o)·s_o + β_o. One Conv instead of Conv + BN: fewer passes over memory, and
 * exactly what onnxruntime's own fusion would do, but done once here so every engine sees the same graph.
 */

export interface BatchNormParams {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

export interface ConvParams {
  /** ONNX layout [out, in, kh, kw], row-major. */
  weight: Float32Array;
  bias: Float32Array;
}

export function foldBatchNorm(conv: ConvParams, bn: BatchNormParams): ConvParams {
  const outChannels = conv.bias.length;
  if (bn.gamma.length !== outChannels) {
    throw new Error(`BatchNormalization has ${bn.gamma.length} channels, the conv before it ${outChannels}`);
  }
  const perOut = conv.weight.length / outChannels;
  const weight = new Float32Array(conv.weight.length);
  const bias = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    // float64 for the scale; the folded values are rounded to float32 once.
    const scale = bn.gamma[o] / Math.sqrt(bn.variance[o] + bn.epsilon);
    for (let j = o * perOut; j < (o + 1) * perOut; j++) weight[j] = conv.weight[j] * scale;
    bias[o] = (conv.bias[o] - bn.mean[o]) * scale + bn.beta[o];
  }
  return { weight, bias };
}

/** tfjs conv kernel [kh, kw, in, out] → ONNX [out, in, kh, kw]. */
export function kernelHwioToOihw(kernel: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        const src = ((y * kw + x) * cin + i) * cout;
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = kernel[src + o];
      }
    }
  }
  return out;
}
