/**
 * The analysis use case, in stages: read the routed series' files (study-input) → decode and preprocess
 * (prepare-images) → infer and localise per model (read-images) → one conclusion per model and the study's
 * (aggregate). The routing decision comes in (series → model) and every image result names the model that read it.
 * The same code serves the CLI and the node.
 */
import { Dataset } from '../dicom/io';
import { ImageMap, ImageResult, StudyAnalysis, StudyTimings } from '../domain/analysis';
import { aggregateStudy, combineReadings, ModelConclusion } from './aggregate';
import { prepareImages } from './prepare-images';
import { readImages } from './read-images';
import { readStudyInput, Skipped, StudyInputError, StudySeries } from './study-input';

export { StudyInputError } from './study-input';
export type { StudySeries } from './study-input';

export interface AnalyzeOptions {
  batchSize: number;
  /** Overrides the manifests' study thresholds (the node's triage config). */
  triage?: { urgentProbability: number; suspiciousProbability: number };
  /** Skips decided before the analysis (e.g. series no routing rule matched), reported with the analysis's own. */
  skipped?: Skipped;
}

/** What analyzeStudy returns: the analysis, the maps of images with a region, and the analysed instances as read. */
export interface StudyAnalysisOutcome {
  analysis: StudyAnalysis;
  maps: ImageMap[];
  /** Analysed instances (with pixel data) by SOPInstanceUID, and their transfer syntaxes: the result builders' sources. */
  sources: Map<string, Dataset>;
  transferSyntaxes: Map<string, string>;
}

export async function analyzeStudy(series: readonly StudySeries[], options: AnalyzeOptions): Promise<StudyAnalysisOutcome> {
  const started = performance.now();
  const timings: StudyTimings = { decodeMs: 0, preprocessMs: 0, inferMs: 0, localiseMs: 0, totalMs: 0 };
  const skipped: Skipped = [...(options.skipped ?? [])];

  const { studyInstanceUid, instances } = readStudyInput(series, skipped);
  const prepared = await prepareImages(instances, timings, skipped);
  if (prepared.size === 0) throw new StudyInputError(`no analysable image in the study (${skipped.length} skipped${skipped[0] ? `: ${skipped[0].reason}` : ''})`);

  const images: ImageResult[] = [];
  const maps: ImageMap[] = [];
  const readings: ModelConclusion[] = [];
  for (const [model, items] of prepared) {
    const read = await readImages(model, items, options.batchSize, timings);
    images.push(...read.images);
    maps.push(...read.maps);
    const { thresholds, studyAggregation } = model.manifest;
    readings.push({
      modelId: model.manifest.id,
      images: read.images,
      conclusion: aggregateStudy(read.images, {
        topK: studyAggregation.k,
        urgentProbability: options.triage?.urgentProbability ?? thresholds.urgent,
        suspiciousProbability: options.triage?.suspiciousProbability ?? thresholds.suspicious,
      }),
    });
  }

  const sources = new Map<string, Dataset>();
  const transferSyntaxes = new Map<string, string>();
  const read = new Set(images.map((i) => i.sopInstanceUid));
  for (const i of instances) {
    if (!read.has(i.sopInstanceUid)) continue;
    sources.set(i.sopInstanceUid, i.dataset);
    transferSyntaxes.set(i.sopInstanceUid, i.transferSyntaxUid);
  }
  timings.totalMs = performance.now() - started;
  const analysis: StudyAnalysis = {
    studyInstanceUid,
    models: [...prepared.keys()].map((m) => m.ref),
    ...combineReadings(readings),
    images,
    skipped,
    timings,
    notForClinicalUse: true,
  };
  return { analysis, maps, sources, transferSyntaxes };
}
