/** PNG encoding of 8-bit RGB rasters (reports, contact sheets, previews) through pngjs. */
import { PNG } from 'pngjs';

export interface RgbRaster {
  width: number;
  height: number;
  /** Interleaved RGB, row-major. */
  rgb: Uint8Array;
}

export function encodePng(raster: RgbRaster): Buffer {
  const png = new PNG({ width: raster.width, height: raster.height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(raster.rgb.buffer, raster.rgb.byteOffset, raster.rgb.byteLength);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

export function blankRaster(width: number, height: number, grey = 0): RgbRaster {
  return { width, height, rgb: new Uint8Array(width * height * 3).fill(grey) };
}
