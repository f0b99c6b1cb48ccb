/**
 * The analyze job: route the study's series to models → analyse (decode, preprocess, infer, localise, aggregate) →
 * build the SR, SEG and SC → write them under dataDir/results/<study>/ → record them → queue the export.
 * Bad input (nothing routable, nothing decodable) is an UnrecoverableJobError: retrying cannot help.
 */
import * as fs from 'fs';
import * as path from 'path';
import { analyzeStudy, StudyAnalysisOutcome, StudyInputError, StudySeries } from '../analysis/analyze-study';
import { ResultObjectRecord } from '../domain/study';
import { ModelPackage } from '../inference/package/load';
import { Logger } from '../logging/logger';
import { buildResultObjects, writeResultObjects } from '../results/build';
import { UnrecoverableJobError } from './queue';
import { JobEnqueuer, PipelineEvents, PipelineStore, StoredInstance } from './ports';
import { RoutedSeries, Router, seriesFactsOf } from './routing';

export interface AnalyzeJobDeps {
  store: PipelineStore;
  jobs: JobEnqueuer;
  route: Router;
  /** The loaded model package with this id (routing rules name ids), if installed. */
  model: (id: string) => ModelPackage | undefined;
  batchSize: number;
  triage: { urgentProbability: number; suspiciousProbability: number };
  results: { segmentationType: 'BINARY' | 'FRACTIONAL'; secondaryCapture: boolean };
  resultsDir: string;
  events: PipelineEvents;
  logger: Logger;
  now?: () => Date;
}

/** The routed series that an installed model can read, with their files; and the model ids routed to but not installed. */
function servedSeries(routed: readonly RoutedSeries[], instances: readonly StoredInstance[], model: AnalyzeJobDeps['model']): { series: StudySeries[]; unserved: string[] } {
  const files = new Map<string, string[]>();
  for (const i of instances) {
    const list = files.get(i.seriesInstanceUid);
    if (list) list.push(i.path);
    else files.set(i.seriesInstanceUid, [i.path]);
  }
  const series: StudySeries[] = [];
  const unserved = new Set<string>();
  for (const { seriesInstanceUid, modelId } of routed) {
    const pkg = model(modelId);
    if (pkg) series.push({ seriesInstanceUid, model: pkg, files: files.get(seriesInstanceUid) ?? [] });
    else unserved.add(modelId);
  }
  return { series, unserved: [...unserved] };
}

/** Analyses revision `job.revision` of a study (the job's; the study may have been re-opened since). */
export async function runAnalyzeJob(job: { studyInstanceUid: string; revision: number }, deps: AnalyzeJobDeps): Promise<void> {
  const { studyInstanceUid, revision } = job;
  const study = deps.store.study(studyInstanceUid);
  if (!study) throw new UnrecoverableJobError(`study ${studyInstanceUid} is not in the store`);
  const instances = deps.store.instances(studyInstanceUid);

  const decision = deps.route(seriesFactsOf(instances, study.callingAet));
  // A series routed to a model that is not installed is skipped like a non-gastric one, with the reason.
  const { series, unserved } = decision.kind === 'analyse' ? servedSeries(decision.series, instances, deps.model) : { series: [], unserved: [] };
  if (decision.kind === 'skip' || series.length === 0) {
    const reason = decision.kind === 'skip' ? decision.reason : `no model package installed for ${unserved.join(', ')} (inference.models)`;
    deps.store.setStatus(studyInstanceUid, revision, 'skipped', reason);
    deps.events.skipped(study, reason);
    deps.logger.info('study skipped', { studyInstanceUid, reason });
    return;
  }
  if (unserved.length) deps.logger.warn('series without an installed model skipped', { studyInstanceUid, models: unserved });

  let outcome: StudyAnalysisOutcome;
  try {
    outcome = await analyzeStudy(series, { batchSize: deps.batchSize, triage: deps.triage });
  } catch (err) {
    if (err instanceof StudyInputError) throw new UnrecoverableJobError(err.message);
    throw err;
  }
  const { analysis } = outcome;
  const { dir, results } = await writeRevisionResults(outcome, job, deps);

  if (!deps.store.saveAnalysis(studyInstanceUid, revision, analysis, results)) {
    fs.rmSync(dir, { recursive: true, force: true });
    deps.logger.info('analysis superseded by newer instances', { studyInstanceUid, revision });
    return;
  }
  const studyDir = path.dirname(dir);
  for (const other of fs.readdirSync(studyDir)) if (other !== path.basename(dir)) fs.rmSync(path.join(studyDir, other), { recursive: true, force: true });
  deps.jobs.enqueueExport(studyInstanceUid, revision);
  deps.events.analysed(study, analysis);
  deps.logger.info('study analysed', {
    studyInstanceUid,
    revision,
    priority: analysis.priority,
    cancerProbability: Number(analysis.cancerProbability.toFixed(4)),
    images: analysis.images.length,
    skippedImages: analysis.skipped.length,
    results: results.length,
    ms: Math.round(analysis.timings.totalMs),
  });
}

/**
 * Builds the SR, SEG and SC of an analysis and writes them to resultsDir/<study>/r<revision>/: one folder per
 * revision, so a slower job of a superseded revision cannot overwrite the files a newer one exports.
 */
async function writeRevisionResults(
  outcome: StudyAnalysisOutcome,
  job: { studyInstanceUid: string; revision: number },
  deps: Pick<AnalyzeJobDeps, 'results' | 'resultsDir' | 'now'>,
): Promise<{ dir: string; results: ResultObjectRecord[] }> {
  const { analysis, maps, sources, transferSyntaxes } = outcome;
  const objects = await buildResultObjects(
    { analysis, maps, sources, transferSyntaxes, segmentationType: deps.results.segmentationType, now: (deps.now ?? (() => new Date()))() },
    { secondaryCapture: deps.results.secondaryCapture },
  );
  const dir = path.join(deps.resultsDir, job.studyInstanceUid, `r${job.revision}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const written = writeResultObjects(objects, dir);
  const results = objects.map((o, i): ResultObjectRecord => ({ kind: o.kind, sopClassUid: o.sopClassUid, sopInstanceUid: o.sopInstanceUid, seriesInstanceUid: o.seriesInstanceUid, path: written[i] }));
  return { dir, results };
}
