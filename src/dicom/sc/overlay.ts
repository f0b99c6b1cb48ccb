/** Drawing the AI result onto a picture of the source image: a heat overlay, the region outline and a caption band. */
import { drawPolygon, Rgb } from '../../raster/draw';
import { RgbRaster } from '../../raster/png';
import { drawText, GLYPH_HEIGHT, textWidth } from './font';

export interface HeatOptions {
  /** Pixels at or above it are coloured (the same threshold as the BINARY SEG). */
  threshold: number;
  /** Opacity of the heat colour over the image, 0..1. */
  opacity: number;
}

/** Red at the threshold to yellow at probability 1, blended over the image. */
export function blendHeat(r: RgbRaster, probability: Float32Array, options: HeatOptions): void {
  if (probability.length !== r.width * r.height) throw new RangeError(`map has ${probability.length} values for a ${r.width}x${r.height} image`);
  const { threshold, opacity } = options;
  for (let i = 0; i < probability.length; i++) {
    const p = probability[i];
    if (!(p >= threshold)) continue;
    const t = threshold < 1 ? Math.min(1, (p - threshold) / (1 - threshold)) : 1;
    const heat: Rgb = [255, Math.round(255 * t), 0];
    for (let c = 0; c < 3; c++) r.rgb[i * 3 + c] = Math.round((1 - opacity) * r.rgb[i * 3 + c] + opacity * heat[c]);
  }
}

export function drawOutline(r: RgbRaster, contour: ReadonlyArray<readonly [number, number]>, colour: Rgb): void {
  if (contour.length >= 2) drawPolygon(r, contour, colour, Math.max(1, Math.round(Math.min(r.width, r.height) / 256)));
}

/**
 * Nearest-neighbour enlargement by a whole factor so that a small image (PET is 128 px wide) still holds a readable
 * one-line caption; images at least `minWidth` wide are returned as they are.
 */
export function enlargeToWidth(r: RgbRaster, minWidth: number, maxFactor = 4): RgbRaster {
  const k = Math.min(maxFactor, Math.ceil(minWidth / r.width));
  if (k <= 1) return r;
  const width = r.width * k;
  const height = r.height * k;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (Math.floor(y / k) * r.width + Math.floor(x / k)) * 3;
      const d = (y * width + x) * 3;
      rgb[d] = r.rgb[s];
      rgb[d + 1] = r.rgb[s + 1];
      rgb[d + 2] = r.rgb[s + 2];
    }
  }
  return { width, height, rgb };
}

/** Greedy word wrap so that each line fits `maxWidth` pixels at `scale`. */
function wrap(text: string, maxWidth: number, scale: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && textWidth(candidate, scale) > maxWidth) {
      lines.push(line);
      line = word;
    } else line = candidate;
  }
  if (line) lines.push(line);
  return lines;
}

export interface CaptionBand {
  top: number;
  height: number;
}

/**
 * Burns `caption` into a black band along the bottom edge, as large as fits on one line (scale 1..3); on images too
 * narrow for one line at scale 1 it wraps. Returns where the band is.
 */
export function burnCaption(r: RgbRaster, caption: string, colour: Rgb = [255, 255, 255]): CaptionBand {
  const margin = 4;
  const room = Math.max(1, r.width - 2 * margin);
  const scale = Math.max(1, Math.min(3, Math.floor(room / textWidth(caption, 1))));
  const lines = wrap(caption, room, scale);
  const lineHeight = (GLYPH_HEIGHT + 3) * scale;
  const height = Math.min(r.height, lines.length * lineHeight + 2 * margin);
  const top = r.height - height;
  r.rgb.fill(0, top * r.width * 3, r.height * r.width * 3);
  lines.forEach((line, n) => drawText(r, line, margin, top + margin + n * lineHeight + scale, scale, colour));
  return { top, height };
}
