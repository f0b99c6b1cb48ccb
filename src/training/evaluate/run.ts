/**
 * Inference over a dataset for `gastric-ai evaluate`: decode → preprocess → engine → cancer probability, stage head
 * and the peak of the class activation map on source pixels, for EVERY image. analyzeStudy is not reused because it
 * localises only suspicious images, and the pointing game must also score the cancers the model missed.
 *
 * Images go through one batch at a time (decode, infer, keep only the numbers): the engine output holds an
 * h × w × 2048 feature map per image (400 kB at 224 px), so a dataset's worth would not fit in memory.
 */
import * as path from 'path';
import { readPart10File } from '../../dicom/io';
import { decodeFrame } from '../../imaging/decode';
import { preprocess } from '../../imaging/preprocess';
import { InputGeometry } from '../../imaging/types';
import { ActivationMap, cancerActivationMap } from '../../inference/cam';
import { runBatched } from '../../inference/engines/run-batched';
import type { ModelPackage } from '../../inference/package/load';
import { readLabel } from '../dataset/labels';
import type { DatasetImage, Polygon, Stage } from '../dataset/types';
import { gridPeakOnSource } from '../../imaging/geometry';

/** One image's truth and the model's reading of it: the input of the metric assembly (metrics.ts). */
export interface ImagePrediction {
  /** DICOM path relative to the dataset root. */
  file: string;
  personId: string;
  sex: 'M' | 'F';
  studyKey: string;
  /** The patient's stage (null: control, or unknown). */
  stage: Stage | null;
  /** The label has at least one cancer polygon. */
  cancer: boolean;
  polygons: Polygon[];
  cancerProbability: number;
  /** Stage head softmax, I–IV. */
  stageProbabilities: [number, number, number, number];
  /** [x (column), y (row)]: where the class activation map, mapped back to source pixels, is highest. */
  peak: [number, number];
}

export interface SkippedImage {
  file: string;
  reason: string;
}

export interface DatasetPredictions {
  predictions: ImagePrediction[];
  skipped: SkippedImage[];
  /** Images whose label says gastric_ai_extension.synthetic = true. */
  syntheticImages: number;
}

export interface PredictOptions {
  /** Dataset root, to make file paths relative. */
  root: string;
  batchSize: number;
  /** Called after each batch with the number of images done so far. */
  onProgress?: (done: number, total: number) => void;
}

interface Prepared {
  image: DatasetImage;
  input: Float32Array;
  geometry: InputGeometry;
}

/** The CAM's peak on source pixels (see gridPeakOnSource). */
export function peakOnSource(cam: ActivationMap, g: InputGeometry): [number, number] {
  return gridPeakOnSource(cam.logit, cam.width, cam.height, g);
}

/** Decoded and preprocessed input of one image, or the reason it cannot be read (the image is then skipped). */
async function prepare(image: DatasetImage, pkg: Pick<ModelPackage, 'spec'>): Promise<Prepared | string> {
  try {
    const part10 = readPart10File(image.dicomPath);
    // One label per DICOM file in the seed layout, so a multi-frame file is read as its first frame.
    const decoded = await decodeFrame(part10, 0);
    const { data, geometry } = preprocess(decoded, part10.dataset, pkg.spec);
    return { image, input: data, geometry };
  } catch (err) {
    return (err as Error).message;
  }
}

export async function predictImages(pkg: Pick<ModelPackage, 'engine' | 'head' | 'spec'>, images: readonly DatasetImage[], options: PredictOptions): Promise<DatasetPredictions> {
  const result: DatasetPredictions = { predictions: [], skipped: [], syntheticImages: 0 };
  const relative = (file: string): string => path.relative(options.root, file).split(path.sep).join('/');
  for (let start = 0; start < images.length; start += options.batchSize) {
    const batch: Prepared[] = [];
    for (const image of images.slice(start, start + options.batchSize)) {
      const label = await readLabel(image.labelPath);
      if (label.gastric_ai_extension?.synthetic) result.syntheticImages++;
      const prepared = await prepare(image, pkg);
      if (typeof prepared === 'string') result.skipped.push({ file: relative(image.dicomPath), reason: prepared });
      else batch.push(prepared);
    }
    if (batch.length > 0) {
      const out = await runBatched(pkg.engine, batch.map((p) => p.input), batch.length);
      batch.forEach(({ image, geometry }, i) => {
        const peak = peakOnSource(cancerActivationMap(out, pkg.head, i), geometry);
        result.predictions.push({
          file: relative(image.dicomPath),
          personId: image.personId,
          sex: image.sex,
          studyKey: image.studyKey,
          stage: image.stage,
          cancer: image.cancer,
          polygons: image.polygons,
          cancerProbability: out.cancer[i * 2 + 1],
          stageProbabilities: Array.from(out.stage.subarray(i * 4, i * 4 + 4)) as [number, number, number, number],
          peak,
        });
      });
    }
    options.onProgress?.(Math.min(start + options.batchSize, images.length), images.length);
  }
  return result;
}
