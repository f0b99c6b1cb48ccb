/**
 * The feature cache: each training image (and its augmented copies) goes once through the frozen trunk, by ONNX
 * Runtime (the fastest engine here), and is kept as the boundary feature map plus per-location cancer labels from
 * its label polygons. The tail then trains for many epochs on these without touching pixels again.
 */
import * as ort from 'onnxruntime-node';
import * as os from 'os';
import { readPart10File } from '../../dicom/io';
import { decodeFrame } from '../../imaging/decode';
import { insidePolygon } from '../../imaging/polygon';
import { preprocess, PreprocessSpec } from '../../imaging/preprocess';
import { resampleCrop } from '../../imaging/preprocess/resize';
import { ModelInput } from '../../imaging/types';
import { ONNX_INPUT_NAME } from '../../inference/onnx/export';
import { Rng } from '../../synth/rng';
import { augment, AugmentPolicy } from '../dataset/augment';
import { DatasetImage } from '../dataset/types';

/** A location counts as cancer when the label covers this share of it, as normal when it covers none. */
const CANCER_COVERAGE = 0.3;

export interface CachedSample {
  image: DatasetImage;
  /** h × w × C boundary features. */
  features: Float32Array;
  /** Final feature grid (labelGrid) h × w: 1 cancer, 0 normal, -1 ignored (partly covered). */
  locations: Float32Array;
  cancer: 0 | 1;
  /** 0-3 for stage I-IV on cancer images of staged patients, else -1 (no stage loss). */
  stage: number;
}

export interface FeatureShape {
  height: number;
  width: number;
  channels: number;
}

/** The label polygons as a mask on the model's input grid (size × size), through the same crop as the image. */
function inputMask(image: DatasetImage, input: ModelInput): Uint8Array {
  const g = input.geometry;
  const full = new Float32Array(g.sourceColumns * g.sourceRows);
  if (image.cancer) {
    for (let y = 0; y < g.sourceRows; y++) for (let x = 0; x < g.sourceColumns; x++) if (image.polygons.some((p) => insidePolygon(p, x, y))) full[y * g.sourceColumns + x] = 1;
  }
  const grid = resampleCrop({ width: g.sourceColumns, height: g.sourceRows, channels: 1, data: full }, g.crop, g.size, g.size).data;
  return Uint8Array.from(grid, (v) => (v >= 0.5 ? 1 : 0));
}

function locationLabels(mask: Uint8Array, size: number, shape: { height: number; width: number }): Float32Array {
  const coverage = resampleCrop({ width: size, height: size, channels: 1, data: Float32Array.from(mask) }, { x: 0, y: 0, width: size, height: size }, shape.width, shape.height).data;
  return Float32Array.from(coverage, (c) => (c >= CANCER_COVERAGE ? 1 : c === 0 ? 0 : -1));
}

const STAGE_INDEX: Record<string, number> = { I: 0, II: 1, III: 2, IV: 3 };

export interface CacheOptions {
  spec: PreprocessSpec;
  /** The grid of the model's final feature map (where the CAM lives), which the location labels are made for. */
  labelGrid: { height: number; width: number };
  /** Copies per image: 1 = the image as is; more adds augmented copies (training split only). */
  copies: number;
  policy: AugmentPolicy;
  rng: Rng;
  batch: number;
  threads: number;
  onProgress?: (done: number, total: number) => void;
}

export class TrunkRunner {
  private constructor(private readonly session: ort.InferenceSession, readonly size: number) {}

  static async create(onnxBytes: Uint8Array, size: number, threads: number): Promise<TrunkRunner> {
    const session = await ort.InferenceSession.create(onnxBytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads === 0 ? os.cpus().length : threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    return new TrunkRunner(session, size);
  }

  async run(inputs: Float32Array[]): Promise<{ data: Float32Array; shape: FeatureShape }> {
    const per = this.size * this.size * 3;
    const batch = new Float32Array(inputs.length * per);
    inputs.forEach((x, i) => batch.set(x, i * per));
    const out = await this.session.run({ [ONNX_INPUT_NAME]: new ort.Tensor('float32', batch, [inputs.length, this.size, this.size, 3]) });
    const t = out[this.session.outputNames[0]];
    const [, height, width, channels] = t.dims as number[];
    return { data: t.data as Float32Array, shape: { height, width, channels } };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

export async function cacheFeatures(images: DatasetImage[], trunk: TrunkRunner, options: CacheOptions): Promise<{ samples: CachedSample[]; shape: FeatureShape }> {
  const samples: CachedSample[] = [];
  let shape: FeatureShape | null = null;
  let pending: Array<{ image: DatasetImage; input: Float32Array; mask: Uint8Array }> = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const out = await trunk.run(pending.map((p) => p.input));
    shape = out.shape;
    const per = out.shape.height * out.shape.width * out.shape.channels;
    pending.forEach((p, i) => {
      samples.push({
        image: p.image,
        features: out.data.slice(i * per, (i + 1) * per),
        locations: locationLabels(p.mask, options.spec.size, options.labelGrid),
        cancer: p.image.cancer ? 1 : 0,
        stage: p.image.cancer && p.image.stage ? STAGE_INDEX[p.image.stage] : -1,
      });
    });
    pending = [];
  };
  for (const [n, image] of images.entries()) {
    const part10 = readPart10File(image.dicomPath);
    const input = preprocess(await decodeFrame(part10, 0), part10.dataset, options.spec);
    const mask = inputMask(image, input);
    pending.push({ image, input: input.data, mask });
    for (let c = 1; c < options.copies; c++) {
      const a = augment({ image: input.data, size: options.spec.size, mask }, options.rng, { policy: options.policy, normalisation: options.spec });
      pending.push({ image, input: a.image, mask: a.mask as Uint8Array });
    }
    if (pending.length >= options.batch) await flush();
    options.onProgress?.(n + 1, images.length);
  }
  await flush();
  if (!shape) throw new Error('no images to cache');
  return { samples, shape };
}
