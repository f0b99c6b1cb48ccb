/**
 * The export job: send a study's result objects to its destination. A failure is retried by the queue with backoff
 * (export.maxAttempts bounds it); each failure is reported so it shows in /metrics and the study detail.
 */
import * as fs from 'fs';
import { Logger } from '../logging/logger';
import { redactText } from '../security/redact';
import { UnrecoverableJobError } from './queue';
import { ExporterFor, PipelineEvents, PipelineStore } from './ports';

export interface ExportJobDeps {
  store: PipelineStore;
  exporterFor: ExporterFor;
  events: PipelineEvents;
  logger: Logger;
}

export async function runExportJob(job: { studyInstanceUid: string; revision: number }, deps: ExportJobDeps): Promise<void> {
  const { studyInstanceUid, revision } = job;
  const study = deps.store.study(studyInstanceUid);
  if (!study) throw new UnrecoverableJobError(`study ${studyInstanceUid} is not in the store`);
  const files = deps.store.results(studyInstanceUid).map((r) => r.path);
  const missing = files.filter((f) => !fs.existsSync(f));
  if (files.length === 0 || missing.length > 0) throw new UnrecoverableJobError(`result files missing for study ${studyInstanceUid} (${missing.length} of ${files.length}); analyse it again`);
  const exporter = deps.exporterFor(study); // throws UnrecoverableJobError when no destination fits
  try {
    await exporter.store(files);
  } catch (err) {
    const message = redactText((err as Error).message);
    deps.events.exportFailed(study, exporter.name, message);
    deps.logger.warn('export failed', { studyInstanceUid, destination: exporter.name, error: message });
    throw err;
  }
  deps.store.setStatus(studyInstanceUid, revision, 'done');
  deps.events.exported(study, exporter.name);
  deps.logger.info('results exported', { studyInstanceUid, destination: exporter.name, objects: files.length });
}
