/** What the node concludes about a study: the contract between inference, results (SR/SEG/SC), the API and the CLI. */
import type { Modality } from './modality';

export type Stage = 'I' | 'II' | 'III' | 'IV';
export const STAGE_LABELS: readonly Stage[] = ['I', 'II', 'III', 'IV'];
export type Priority = 'urgent' | 'suspicious' | 'routine';

/** The suspicious region of one image, in the source image's pixel coordinates. */
export interface ImageRegion {
  /** Outer boundary, [x (column), y (row)] pixel centres. */
  contour: Array<[number, number]>;
  box: { x: number; y: number; width: number; height: number };
  /** Where the localisation map peaks. */
  peak: [number, number];
  areaPixels: number;
  /** Mean localisation probability inside the region. */
  meanProbability: number;
}

export interface ImageResult {
  /** The id of the model package that read this image (routing decided it; results name it). */
  modelId: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  sopClassUid: string;
  /** 0-based frame within the instance. */
  frame: number;
  cancerProbability: number;
  /** Probabilities of stage I-IV given cancer (the stage head). */
  stageProbabilities: [number, number, number, number];
  /** Above the model's image operating threshold. */
  suspicious: boolean;
  region: ImageRegion | null;
}

/** The localisation map of a suspicious image at source resolution, for the SEG and the overlay. */
export interface ImageMap {
  sopInstanceUid: string;
  frame: number;
  width: number;
  height: number;
  probability: Float32Array;
}

/** One model's conclusion over the images it read (a PET-CT study has one per model: CT and PT). */
export interface ModelReading {
  modelId: string;
  cancerProbability: number;
  priority: Priority;
  images: number;
}

export interface StudyTimings {
  decodeMs: number;
  preprocessMs: number;
  inferMs: number;
  localiseMs: number;
  totalMs: number;
}

export interface ModelRef {
  id: string;
  version: string;
  modality: Modality;
  deviceUid: string;
  /** Trained on synthetic data: a demo, not for clinical use. */
  synthetic: boolean;
}

export interface StudyAnalysis {
  studyInstanceUid: string;
  /** Every model that read part of the study (e.g. a CT and a PT model in a PET-CT study), in routing order. */
  models: ModelRef[];
  /** Each model's own conclusion; the study's is the most urgent of them (src/analysis/aggregate.ts). */
  readings: ModelReading[];
  cancerProbability: number;
  /** How cancerProbability was derived from the images, in words (e.g. "mean of the top 3 image probabilities"). */
  aggregation: string;
  suspicious: boolean;
  priority: Priority;
  stage: { estimate: Stage | null; distribution: [number, number, number, number] };
  images: ImageResult[];
  /** Images that could not be analysed (undecodable, unsupported), with the reason. */
  skipped: Array<{ sopInstanceUid: string; reason: string }>;
  timings: StudyTimings;
  notForClinicalUse: true;
}
