/**
 * The tensor cache the Python trainer reads (trainer/gastric_trainer/cache.py): every image of a split decoded and
 * preprocessed once by the serving code (src/imaging/preprocess), so training and serving see the same inputs.
 *   cache.json   header: format, key, size, normalisation, one {cancer, stage} per image
 *   images.f16   N × S × S × 3 float16 (NHWC, normalised as served)
 *   masks.u8     N × S × S, 1 where a cancer label polygon covers the pixel after the same crop
 * The header is written last and names a key over the images and the preprocessing, so an interrupted or stale
 * cache is rebuilt and a current one reused (a resumed run does not preprocess again).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { readPart10File } from '../../dicom/io';
import { decodeFrame } from '../../imaging/decode';
import { insidePolygon } from '../../imaging/polygon';
import { preprocess, PreprocessSpec } from '../../imaging/preprocess';
import { resampleCrop } from '../../imaging/preprocess/resize';
import { ModelInput } from '../../imaging/types';
import { encodeFloat16 } from '../../inference/model/float16';
import { DatasetImage } from '../dataset/types';

export const TENSOR_CACHE_FORMAT = 'gastric-ai-node/tensor-cache/v1';
const HEADER = 'cache.json';
const IMAGES = 'images.f16';
const MASKS = 'masks.u8';
const STAGE_INDEX: Record<string, number> = { I: 0, II: 1, III: 2, IV: 3 };

export interface CacheSample {
  cancer: 0 | 1;
  /** 0-3 for stage I-IV on cancer images of staged patients, else -1 (no stage loss). */
  stage: number;
}

interface CacheHeader {
  format: string;
  key: string;
  size: number;
  count: number;
  layout: 'NHWC';
  mean: [number, number, number];
  std: [number, number, number];
  images: string;
  masks: string;
  samples: CacheSample[];
}

export interface WrittenCache {
  dir: string;
  samples: CacheSample[];
  reused: boolean;
}

/** The label polygons as a mask on the model's input grid (size × size), through the same crop as the image. */
export function inputMask(image: DatasetImage, input: ModelInput): Uint8Array {
  const g = input.geometry;
  const full = new Float32Array(g.sourceColumns * g.sourceRows);
  if (image.cancer) {
    for (let y = 0; y < g.sourceRows; y++) {
      for (let x = 0; x < g.sourceColumns; x++) if (image.polygons.some((p) => insidePolygon(p, x, y))) full[y * g.sourceColumns + x] = 1;
    }
  }
  const grid = resampleCrop({ width: g.sourceColumns, height: g.sourceRows, channels: 1, data: full }, g.crop, g.size, g.size).data;
  return Uint8Array.from(grid, (v) => (v >= 0.5 ? 1 : 0));
}

function sampleOf(image: DatasetImage): CacheSample {
  return { cancer: image.cancer ? 1 : 0, stage: image.cancer && image.stage ? STAGE_INDEX[image.stage] : -1 };
}

function cacheKey(images: DatasetImage[], spec: PreprocessSpec): string {
  const hash = createHash('sha256').update(JSON.stringify({ format: TENSOR_CACHE_FORMAT, spec }));
  for (const image of images) {
    const stat = fs.statSync(image.dicomPath);
    hash.update(JSON.stringify([image.dicomPath, stat.size, stat.mtimeMs, image.cancer, image.stage, image.polygons]));
  }
  return hash.digest('hex');
}

function readHeader(dir: string): CacheHeader | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, HEADER), 'utf8')) as CacheHeader;
  } catch {
    return null;
  }
}

export async function writeTensorCache(dir: string, images: DatasetImage[], spec: PreprocessSpec, onProgress?: (done: number, total: number) => void): Promise<WrittenCache> {
  if (images.length === 0) throw new Error('no images to cache');
  const key = cacheKey(images, spec);
  const samples = images.map(sampleOf);
  if (readHeader(dir)?.key === key) return { dir, samples, reused: true };

  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(path.join(dir, HEADER), { force: true });
  const imageFd = fs.openSync(path.join(dir, IMAGES), 'w');
  const maskFd = fs.openSync(path.join(dir, MASKS), 'w');
  try {
    for (const [n, image] of images.entries()) {
      let input: ModelInput;
      try {
        const part10 = readPart10File(image.dicomPath);
        input = preprocess(await decodeFrame(part10, 0), part10.dataset, spec);
      } catch (err) {
        throw new Error(`${image.dicomPath}: ${(err as Error).message}`);
      }
      const half = encodeFloat16(input.data);
      fs.writeSync(imageFd, new Uint8Array(half.buffer, half.byteOffset, half.byteLength));
      fs.writeSync(maskFd, inputMask(image, input));
      onProgress?.(n + 1, images.length);
    }
  } finally {
    fs.closeSync(imageFd);
    fs.closeSync(maskFd);
  }
  const header: CacheHeader = { format: TENSOR_CACHE_FORMAT, key, size: spec.size, count: images.length, layout: 'NHWC', mean: spec.mean, std: spec.std, images: IMAGES, masks: MASKS, samples };
  fs.writeFileSync(path.join(dir, `${HEADER}.tmp`), JSON.stringify(header));
  fs.renameSync(path.join(dir, `${HEADER}.tmp`), path.join(dir, HEADER));
  return { dir, samples, reused: false };
}
