/**
 * Colour jitter for endoscopy inputs (light source, white balance and processor settings differ between scopes).
 *
 * The input is already normalised, x = (p − mean) / std with p in [0, 1], so each pixel is first taken back to p,
 * jittered there, clamped to [0, 1] once at the end and normalised again. In p space, in this fixed order:
 * - brightness b: p · b
 * - contrast c:   m + c · (p − m), m the image's mean luma (after brightness)
 * - saturation s: l + s · (p − l), l the pixel's luma (Rec. 601: 0.299 R + 0.587 G + 0.114 B)
 * - hue h°:       rotates the pixel's chroma (I, Q of YIQ) by h° around the grey axis. "Hue-ish": a linear stand-in
 *                 for an HSV hue shift that keeps luma and is cheap; it is exact for neither, and need not be.
 * Factors of 1 and 0° change nothing (up to the clamp and float rounding).
 */
import type { Rng } from '../../synth/rng';
import type { Fill } from './geometry';

export interface Normalisation {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

export interface ColourJitter {
  brightness: number;
  contrast: number;
  saturation: number;
  hueDegrees: number;
}

/** Draws each factor uniformly in [1 − r, 1 + r] and the hue in [−hueDegrees, hueDegrees]. */
export type ColourJitterRange = ColourJitter;

/** Black after normalisation, the fill for rotations: (0 − mean) / std per channel. */
export const blackAfterNormalisation = (n: Normalisation): Fill => [-n.mean[0] / n.std[0], -n.mean[1] / n.std[1], -n.mean[2] / n.std[2]];

const LUMA = [0.299, 0.587, 0.114] as const;
// RGB → YIQ (FCC NTSC) and back; Y equals LUMA.
const TO_IQ = [
  [0.596, -0.274, -0.322],
  [0.211, -0.523, 0.312],
] as const;
const FROM_YIQ = [
  [1, 0.956, 0.621],
  [1, -0.272, -0.647],
  [1, -1.106, 1.703],
] as const;

export function drawColourJitter(rng: Rng, range: ColourJitterRange): ColourJitter {
  const factor = (r: number): number => rng.uniform(Math.max(0, 1 - r), 1 + r);
  return { brightness: factor(range.brightness), contrast: factor(range.contrast), saturation: factor(range.saturation), hueDegrees: rng.uniform(-range.hueDegrees, range.hueDegrees) };
}

export function colourJitter(image: Float32Array, jitter: ColourJitter, norm: Normalisation): Float32Array {
  const { mean, std } = norm;
  const pixels = image.length / 3;
  const p = new Float32Array(image.length);
  let lumaSum = 0;
  for (let i = 0; i < pixels; i++) {
    for (let ch = 0; ch < 3; ch++) p[3 * i + ch] = (image[3 * i + ch] * std[ch] + mean[ch]) * jitter.brightness;
    lumaSum += LUMA[0] * p[3 * i] + LUMA[1] * p[3 * i + 1] + LUMA[2] * p[3 * i + 2];
  }
  const m = lumaSum / pixels;
  const h = (jitter.hueDegrees * Math.PI) / 180;
  const cos = Math.cos(h);
  const sin = Math.sin(h);
  const out = new Float32Array(image.length);
  for (let i = 0; i < pixels; i++) {
    const r = m + jitter.contrast * (p[3 * i] - m);
    const g = m + jitter.contrast * (p[3 * i + 1] - m);
    const b = m + jitter.contrast * (p[3 * i + 2] - m);
    const l = LUMA[0] * r + LUMA[1] * g + LUMA[2] * b;
    const sat = [l + jitter.saturation * (r - l), l + jitter.saturation * (g - l), l + jitter.saturation * (b - l)];
    const iq0 = TO_IQ[0][0] * sat[0] + TO_IQ[0][1] * sat[1] + TO_IQ[0][2] * sat[2];
    const iq1 = TO_IQ[1][0] * sat[0] + TO_IQ[1][1] * sat[1] + TO_IQ[1][2] * sat[2];
    // Add only the change of chroma, so 0° is exact despite the rounded YIQ coefficients.
    const dI = iq0 * cos - iq1 * sin - iq0;
    const dQ = iq0 * sin + iq1 * cos - iq1;
    for (let ch = 0; ch < 3; ch++) {
      const v = sat[ch] + FROM_YIQ[ch][1] * dI + FROM_YIQ[ch][2] * dQ;
      out[3 * i + ch] = (Math.min(1, Math.max(0, v)) - mean[ch]) / std[ch];
    }
  }
  return out;
}
