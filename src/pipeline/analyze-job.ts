/**
 * The analyze job: route the study's series to models → analyse (decode, preprocess, infer, localise, aggregate) →
 * build the SR, SEG and SC → write them under dataDir/results/<study>/ → record them → queue the export.
 * Bad input (nothing routable, nothing decodable) is an UnrecoverableJobError: retrying cannot help.
 */
import * as fs from 'fs';
import * as path from 'path';
import { analyzeStudy, StudyInputError } from '../analysis/analyze-study';
import { ResultObjectRecord } from '../domain/study';
import { Modality } from '../imaging/preprocess';
import { ModelPackage } from '../inference/package/load';
import { Logger } from '../logging/logger';
import { buildResultObjects, writeResultObjects } from '../results/build';
import { UnrecoverableJobError } from './queue';
import { JobEnqueuer, PipelineEvents, PipelineStore } from './ports';
import { RoutingDecision, SeriesFacts } from './routing';

export interface AnalyzeJobDeps {
  store: PipelineStore;
  jobs: JobEnqueuer;
  route: (series: readonly SeriesFacts[]) => RoutingDecision;
  /** Loaded model packages by the model key routing rules name. */
  models: Partial<Record<Modality, ModelPackage>>;
  batchSize: number;
  triage: { urgentProbability: number; suspiciousProbability: number };
  results: { segmentationType: 'BINARY' | 'FRACTIONAL'; secondaryCapture: boolean };
  resultsDir: string;
  events: PipelineEvents;
  logger: Logger;
  now?: () => Date;
}

/** Analyses revision `job.revision` of a study (the job's; the study may have been re-opened since). */
export async function runAnalyzeJob(job: { studyInstanceUid: string; revision: number }, deps: AnalyzeJobDeps): Promise<void> {
  const { studyInstanceUid, revision } = job;
  const study = deps.store.study(studyInstanceUid);
  if (!study) throw new UnrecoverableJobError(`study ${studyInstanceUid} is not in the store`);
  const instances = deps.store.instances(studyInstanceUid);

  const bySeries = new Map<string, SeriesFacts>();
  for (const i of instances)
    if (!bySeries.has(i.seriesInstanceUid))
      bySeries.set(i.seriesInstanceUid, { ...i, callingAet: study.callingAet });
  const decision = deps.route([...bySeries.values()]);
  // A series routed to a model that is not installed is skipped like a non-gastric one, with the reason.
  const unserved = decision.kind === 'analyse' ? [...new Set(decision.series.filter((s) => !deps.models[s.model]).map((s) => s.model))] : [];
  const served = decision.kind === 'analyse' ? decision.series.filter((s) => deps.models[s.model]) : [];
  if (decision.kind === 'skip' || served.length === 0) {
    const reason = decision.kind === 'skip' ? decision.reason : `no model package installed for ${unserved.join(', ')} (inference.models)`;
    deps.store.setStatus(studyInstanceUid, revision, 'skipped', reason);
    deps.events.skipped(study, reason);
    deps.logger.info('study skipped', { studyInstanceUid, reason });
    return;
  }
  if (unserved.length) deps.logger.warn('series without an installed model skipped', { studyInstanceUid, models: unserved });

  // analyzeStudy picks a model by each file's Modality; routing may send a modality to another model key.
  const models: Partial<Record<Modality, ModelPackage>> = {};
  const routed = new Set<string>();
  for (const { seriesInstanceUid, model } of served) {
    const pkg = deps.models[model]!;
    models[bySeries.get(seriesInstanceUid)!.modality as Modality] = pkg;
    routed.add(seriesInstanceUid);
  }
  const files = instances.filter((i) => routed.has(i.seriesInstanceUid)).map((i) => i.path);

  let outcome;
  try {
    outcome = await analyzeStudy(files, { models, batchSize: deps.batchSize, triage: deps.triage });
  } catch (err) {
    if (err instanceof StudyInputError) throw new UnrecoverableJobError(err.message);
    throw err;
  }
  const { analysis, maps, sources, transferSyntaxes } = outcome;
  const objects = await buildResultObjects(
    { analysis, maps, sources, transferSyntaxes, segmentationType: deps.results.segmentationType, now: (deps.now ?? (() => new Date()))() },
    { secondaryCapture: deps.results.secondaryCapture },
  );
  // One folder per revision: a slower job of a superseded revision must not overwrite the files a newer one exports.
  const studyDir = path.join(deps.resultsDir, studyInstanceUid);
  const dir = path.join(studyDir, `r${revision}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const written = writeResultObjects(objects, dir);
  const results: ResultObjectRecord[] = objects.map((o, i) => ({
    kind: o.kind,
    sopClassUid: o.sopClassUid,
    sopInstanceUid: o.sopInstanceUid,
    seriesInstanceUid: o.seriesInstanceUid,
    path: written[i],
  }));

  if (!deps.store.saveAnalysis(studyInstanceUid, revision, analysis, results)) {
    fs.rmSync(dir, { recursive: true, force: true });
    deps.logger.info('analysis superseded by newer instances', { studyInstanceUid, revision });
    return;
  }
  for (const other of fs.readdirSync(studyDir)) if (other !== `r${revision}`) fs.rmSync(path.join(studyDir, other), { recursive: true, force: true });
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
