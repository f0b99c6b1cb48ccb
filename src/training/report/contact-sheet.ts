/** A grid of sample images with their label polygons drawn, so a person can check that labels match pictures. */
import { decodeFrame } from '../../imaging/decode';
import { readPart10File } from '../../dicom/io';
import { displayRaster } from '../../imaging/raster/display';
import { blankRaster, RgbRaster } from '../../raster/png';
import { drawPolygon, fitRaster, paste, Rgb } from '../../raster/draw';
import { createRng } from '../../synth/rng';
import { DatasetImage, DatasetIndex } from '../dataset/types';

const LABEL_COLOUR: Rgb = [255, 230, 0];
const TILE = 200;
const GAP = 4;
const COLUMNS = 4;

export interface SheetTile {
  image: DatasetImage;
  error: string | null;
}

/** Half cancer, half normal images (as available), drawn reproducibly from the seed. */
export function sampleImages(index: DatasetIndex, count: number, seed: number): DatasetImage[] {
  const rng = createRng(seed);
  const shuffle = <T>(items: T[]): T[] => {
    const a = [...items];
    for (let i = a.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };
  const cancer = shuffle(index.images.filter((i) => i.cancer));
  const normal = shuffle(index.images.filter((i) => !i.cancer));
  const wantCancer = Math.min(cancer.length, Math.ceil(count / 2));
  return [...cancer.slice(0, wantCancer), ...normal.slice(0, count - wantCancer)].slice(0, count);
}

async function tileFor(image: DatasetImage, modality: string): Promise<RgbRaster> {
  const part10 = readPart10File(image.dicomPath);
  const frame = await decodeFrame(part10, 0);
  // Scale first, then draw, so the outline stays crisp at tile size.
  const { raster, scale } = fitRaster(displayRaster(frame, part10.dataset, modality), TILE);
  for (const polygon of image.polygons) drawPolygon(raster, polygon.map(([x, y]) => [x * scale, y * scale] as [number, number]), LABEL_COLOUR, 2);
  return raster;
}

/** Renders the sheet; an image that cannot be decoded becomes a grey tile and is reported, not fatal. */
export async function contactSheet(index: DatasetIndex, images: DatasetImage[]): Promise<{ sheet: RgbRaster; tiles: SheetTile[] }> {
  const rows = Math.max(1, Math.ceil(images.length / COLUMNS));
  const sheet = blankRaster(COLUMNS * (TILE + GAP) + GAP, rows * (TILE + GAP) + GAP, 32);
  const tiles: SheetTile[] = [];
  for (const [n, image] of images.entries()) {
    let raster: RgbRaster;
    let error: string | null = null;
    try {
      raster = await tileFor(image, index.modality);
    } catch (err) {
      error = (err as Error).message;
      raster = blankRaster(TILE, TILE, 96);
    }
    const left = GAP + (n % COLUMNS) * (TILE + GAP) + Math.floor((TILE - raster.width) / 2);
    const top = GAP + Math.floor(n / COLUMNS) * (TILE + GAP) + Math.floor((TILE - raster.height) / 2);
    paste(sheet, raster, left, top);
    tiles.push({ image, error });
  }
  return { sheet, tiles };
}
