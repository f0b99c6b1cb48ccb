/**
 * The analysis use case: a study's instance files → decode → preprocess → infer (batched, per modality's model)
 * → localise (CAM mapped back to source pixels) → study conclusion. The same code serves the CLI and the node.
 */
import { Dataset, readPart10File } from '../dicom/io';
import { ImageResult, StudyAnalysis, StudyTimings } from '../domain/analysis';
import { isResultSeries } from '../domain/result-series';
import { largestRegion } from '../imaging/contour';
import { decodeFrame, frameCount } from '../imaging/decode';
import { gridPeakOnSource, mapToSource } from '../imaging/geometry';
import { preprocess, Modality } from '../imaging/preprocess';
import { InputGeometry } from '../imaging/types';
import { cancerActivationMap, focusedProbability } from '../inference/cam';
import { runBatched } from '../inference/engines/run-batched';
import { ModelPackage } from '../inference/package/load';
import { aggregateStudy } from './aggregate';

export interface AnalyzeOptions {
  models: Partial<Record<Modality, ModelPackage>>;
  batchSize: number;
  /** Overrides the manifests' study thresholds (the node's triage config). */
  triage?: { urgentProbability: number; suspiciousProbability: number };
}

/** The localisation map of a suspicious image at source resolution, for the SEG and the overlay. */
export interface ImageMap {
  sopInstanceUid: string;
  frame: number;
  width: number;
  height: number;
  probability: Float32Array;
}

export class StudyInputError extends Error {
  override readonly name = 'StudyInputError';
}

interface Pending {
  dataset: Dataset;
  frame: number;
  input: Float32Array;
  geometry: InputGeometry;
}

const text = (v: unknown): string => (Array.isArray(v) ? String(v[0] ?? '') : v === undefined ? '' : String(v));

/** What analyzeStudy returns: the analysis, the maps of images with a region, and the analysed instances as read. */
export interface StudyAnalysisOutcome {
  analysis: StudyAnalysis;
  maps: ImageMap[];
  /** Analysed instances (with pixel data) by SOPInstanceUID, and their transfer syntaxes: the result builders' sources. */
  sources: Map<string, Dataset>;
  transferSyntaxes: Map<string, string>;
}

export async function analyzeStudy(files: string[], options: AnalyzeOptions): Promise<StudyAnalysisOutcome> {
  const started = performance.now();
  const timings: StudyTimings = { decodeMs: 0, preprocessMs: 0, inferMs: 0, localiseMs: 0, totalMs: 0 };
  const skipped: StudyAnalysis['skipped'] = [];
  const pending = new Map<Modality, Pending[]>();
  const studies = new Set<string>();
  const sources = new Map<string, Dataset>();
  const transferSyntaxes = new Map<string, string>();

  for (const file of files) {
    let part10;
    try {
      part10 = readPart10File(file);
    } catch (err) {
      skipped.push({ sopInstanceUid: '', reason: `${file}: not readable as DICOM (${(err as Error).message})` });
      continue;
    }
    const { dataset } = part10;
    const uid = text(dataset.SOPInstanceUID);
    studies.add(text(dataset.StudyInstanceUID));
    const modality = text(dataset.Modality) as Modality;
    const pkg = options.models[modality];
    if (isResultSeries(text(dataset.SeriesDescription))) {
      skipped.push({ sopInstanceUid: uid, reason: 'an AI result object (not analysed)' });
      continue;
    }
    if (!pkg) {
      skipped.push({ sopInstanceUid: uid, reason: `no model for modality ${modality || '(none)'}` });
      continue;
    }
    if (dataset.PixelData === undefined) {
      skipped.push({ sopInstanceUid: uid, reason: 'no pixel data' });
      continue;
    }
    for (let frame = 0; frame < frameCount(dataset); frame++) {
      try {
        let t = performance.now();
        const decoded = await decodeFrame(part10, frame);
        timings.decodeMs += performance.now() - t;
        t = performance.now();
        const input = preprocess(decoded, dataset, pkg.spec);
        timings.preprocessMs += performance.now() - t;
        const list = pending.get(modality) ?? [];
        list.push({ dataset, frame, input: input.data, geometry: input.geometry });
        pending.set(modality, list);
        sources.set(uid, dataset);
        transferSyntaxes.set(uid, text(part10.meta.TransferSyntaxUID));
      } catch (err) {
        skipped.push({ sopInstanceUid: uid, reason: (err as Error).message });
      }
    }
  }
  if (studies.size > 1) throw new StudyInputError(`files belong to ${studies.size} studies; analyse one study at a time`);
  if (pending.size === 0) throw new StudyInputError(`no analysable image in the study (${skipped.length} skipped${skipped[0] ? `: ${skipped[0].reason}` : ''})`);

  const images: ImageResult[] = [];
  const maps: ImageMap[] = [];
  const used: ModelPackage[] = [];
  for (const [modality, items] of pending) {
    const pkg = options.models[modality] as ModelPackage;
    used.push(pkg);
    let t = performance.now();
    const out = await runBatched(pkg.engine, items.map((p) => p.input), options.batchSize);
    timings.inferMs += performance.now() - t;
    t = performance.now();
    items.forEach((item, i) => {
      const cancerProbability = out.cancer[i * 2 + 1];
      const suspicious = cancerProbability >= pkg.manifest.thresholds.image;
      const result: ImageResult = {
        sopInstanceUid: text(item.dataset.SOPInstanceUID),
        seriesInstanceUid: text(item.dataset.SeriesInstanceUID),
        sopClassUid: text(item.dataset.SOPClassUID),
        frame: item.frame,
        cancerProbability,
        stageProbabilities: Array.from(out.stage.subarray(i * 4, i * 4 + 4)) as [number, number, number, number],
        suspicious,
        region: null,
      };
      if (suspicious) {
        const cam = cancerActivationMap(out, pkg.head, i);
        const { sourceColumns: width, sourceRows: height } = item.geometry;
        const probability = mapToSource(focusedProbability(cam), cam.width, cam.height, item.geometry);
        const region = largestRegion(probability, width, height, pkg.manifest.thresholds.localisation);
        if (region) {
          let sum = 0;
          for (let p = 0; p < region.mask.length; p++) if (region.mask[p]) sum += probability[p];
          result.region = { contour: region.contour, box: region.box, peak: gridPeakOnSource(cam.logit, cam.width, cam.height, item.geometry), areaPixels: region.area, meanProbability: sum / region.area };
          maps.push({ sopInstanceUid: result.sopInstanceUid, frame: item.frame, width, height, probability });
        }
      }
      images.push(result);
    });
    timings.localiseMs += performance.now() - t;
  }

  const first = used[0].manifest;
  const conclusion = aggregateStudy(images, {
    topK: first.studyAggregation.k,
    urgentProbability: options.triage?.urgentProbability ?? first.thresholds.urgent,
    suspiciousProbability: options.triage?.suspiciousProbability ?? first.thresholds.suspicious,
  });
  timings.totalMs = performance.now() - started;
  const analysis: StudyAnalysis = {
    studyInstanceUid: [...studies][0],
    models: used.map((p) => p.ref),
    ...conclusion,
    images,
    skipped,
    timings,
    notForClinicalUse: true,
  };
  return { analysis, maps, sources, transferSyntaxes };
}
