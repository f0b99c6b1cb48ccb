/** Drawing on RGB rasters: polygon outlines (labels, regions), nearest-neighbour scaling and pasting for sheets. */
import { RgbRaster } from './png';

export type Rgb = [number, number, number];

function setPixel(r: RgbRaster, x: number, y: number, colour: Rgb): void {
  if (x < 0 || y < 0 || x >= r.width || y >= r.height) return;
  const i = (y * r.width + x) * 3;
  r.rgb[i] = colour[0];
  r.rgb[i + 1] = colour[1];
  r.rgb[i + 2] = colour[2];
}

/** Bresenham line, `thickness` pixels wide (square pen). */
export function drawLine(r: RgbRaster, x0: number, y0: number, x1: number, y1: number, colour: Rgb, thickness = 1): void {
  let x = Math.round(x0);
  let y = Math.round(y0);
  const xe = Math.round(x1);
  const ye = Math.round(y1);
  const dx = Math.abs(xe - x);
  const dy = -Math.abs(ye - y);
  const sx = x < xe ? 1 : -1;
  const sy = y < ye ? 1 : -1;
  let err = dx + dy;
  const half = Math.floor(thickness / 2);
  for (;;) {
    for (let oy = -half; oy < thickness - half; oy++) for (let ox = -half; ox < thickness - half; ox++) setPixel(r, x + ox, y + oy, colour);
    if (x === xe && y === ye) break;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
  }
}

/** Closed polygon outline; points are [x, y] in this raster's pixels. */
export function drawPolygon(r: RgbRaster, points: ReadonlyArray<readonly [number, number]>, colour: Rgb, thickness = 2): void {
  for (let i = 0; i < points.length; i++) {
    const [ax, ay] = points[i];
    const [bx, by] = points[(i + 1) % points.length];
    drawLine(r, ax, ay, bx, by, colour, thickness);
  }
}

/** Area-averaged downscale (or nearest upscale) to fit within maxSide, keeping aspect ratio. */
export function fitRaster(src: RgbRaster, maxSide: number): { raster: RgbRaster; scale: number } {
  const scale = Math.min(1, maxSide / Math.max(src.width, src.height));
  const width = Math.max(1, Math.round(src.width * scale));
  const height = Math.max(1, Math.round(src.height * scale));
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy0 = Math.floor(y / scale);
    const sy1 = Math.max(sy0 + 1, Math.min(src.height, Math.floor((y + 1) / scale)));
    for (let x = 0; x < width; x++) {
      const sx0 = Math.floor(x / scale);
      const sx1 = Math.max(sx0 + 1, Math.min(src.width, Math.floor((x + 1) / scale)));
      const acc = [0, 0, 0];
      let n = 0;
      for (let sy = sy0; sy < sy1; sy++) {
        for (let sx = sx0; sx < sx1; sx++) {
          const i = (sy * src.width + sx) * 3;
          acc[0] += src.rgb[i];
          acc[1] += src.rgb[i + 1];
          acc[2] += src.rgb[i + 2];
          n++;
        }
      }
      const o = (y * width + x) * 3;
      out[o] = acc[0] / n;
      out[o + 1] = acc[1] / n;
      out[o + 2] = acc[2] / n;
    }
  }
  return { raster: { width, height, rgb: out }, scale };
}

export function paste(dst: RgbRaster, src: RgbRaster, left: number, top: number): void {
  for (let y = 0; y < src.height; y++) {
    const dy = top + y;
    if (dy < 0 || dy >= dst.height) continue;
    for (let x = 0; x < src.width; x++) {
      const dx = left + x;
      if (dx < 0 || dx >= dst.width) continue;
      const s = (y * src.width + x) * 3;
      const d = (dy * dst.width + dx) * 3;
      dst.rgb[d] = src.rgb[s];
      dst.rgb[d + 1] = src.rgb[s + 1];
      dst.rgb[d + 2] = src.rgb[s + 2];
    }
  }
}
