/**
 * The export job against in-memory fakes of its ports (src/pipeline/ports.ts): what it sends, what it records and
 * reports, and which failures the queue retries (an ExportError: the PACS may come back) or dead-letters at once
 * (nothing to send, no destination: no retry can fix them).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ResultObjectRecord, StudyRecord, StudyStatus } from '../../src/domain/study';
import { ExportError, Exporter, StoreOutcome } from '../../src/export/types';
import { silentLogger } from '../../src/logging/logger';
import { ExportJobDeps, runExportJob } from '../../src/pipeline/export-job';
import { PipelineEvents, PipelineStore } from '../../src/pipeline/ports';
import { isUnrecoverable, UnrecoverableJobError } from '../../src/pipeline/queue';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'export-job-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const UID = '1.2.826.0.1.3680043.8.498.1';

function studyRecord(over: Partial<StudyRecord> = {}): StudyRecord {
  const at = new Date(Date.UTC(2026, 0, 5, 8));
  return {
    studyInstanceUid: UID,
    status: 'exporting',
    source: 'dimse',
    callingAet: 'PACS_A',
    sourceUrl: null,
    instanceCount: 8,
    firstReceivedAt: at,
    lastReceivedAt: at,
    reason: null,
    revision: 2,
    ...over,
  };
}

/** Result objects whose files exist (`missing` names those left unwritten). */
function resultFiles(names: string[], missing: string[] = []): ResultObjectRecord[] {
  const dir = fs.mkdtempSync(path.join(tmp, 'results-'));
  return names.map((name, i) => {
    const file = path.join(dir, `${name}.dcm`);
    if (!missing.includes(name)) fs.writeFileSync(file, 'DICM');
    return { kind: name.startsWith('sr') ? 'SR' : name.startsWith('seg') ? 'SEG' : 'SC', sopClassUid: '1.2.3', sopInstanceUid: `1.2.3.${i}`, seriesInstanceUid: '1.2.4', path: file };
  });
}

type Call = [string, ...unknown[]];

/** The job's ports as fakes that record every call in one list, in order. */
function fakes(options: { study?: StudyRecord | null; results?: ResultObjectRecord[]; store?: Exporter['store']; exporterFor?: () => Exporter; setStatus?: boolean }) {
  const calls: Call[] = [];
  const study = options.study === undefined ? studyRecord() : options.study;
  const store: PipelineStore = {
    study: (uid) => (study && uid === study.studyInstanceUid ? study : null),
    instances: () => [],
    setStatus: (uid: string, revision: number, status: StudyStatus) => {
      calls.push(['setStatus', uid, revision, status]);
      return options.setStatus ?? true;
    },
    saveAnalysis: () => {
      throw new Error('the export job does not save analyses');
    },
    results: () => options.results ?? [],
  };
  const exporter: Exporter = {
    name: 'pacs-a',
    store: async (files) => {
      calls.push(['store', files]);
      return options.store ? options.store(files) : ({ destination: 'pacs-a', instances: [] } satisfies StoreOutcome);
    },
  };
  const events: PipelineEvents = {
    analysed: () => calls.push(['analysed']),
    skipped: () => calls.push(['skipped']),
    exported: (s, destination) => calls.push(['exported', s.studyInstanceUid, destination]),
    exportFailed: (s, destination, error) => calls.push(['exportFailed', s.studyInstanceUid, destination, error]),
  };
  const deps: ExportJobDeps = {
    store,
    exporterFor: (s) => {
      calls.push(['exporterFor', s.studyInstanceUid]);
      return options.exporterFor ? options.exporterFor() : exporter;
    },
    events,
    logger: silentLogger,
  };
  return { deps, calls };
}

const job = { studyInstanceUid: UID, revision: 2 };

describe('export job', () => {
  test('sends every result file to the study’s destination, then marks the revision done and reports the export', async () => {
    const results = resultFiles(['sr', 'seg', 'sc-0', 'sc-1']);
    const { deps, calls } = fakes({ results });
    await runExportJob(job, deps);
    expect(calls).toEqual([
      ['exporterFor', UID],
      ['store', results.map((r) => r.path)],
      ['setStatus', UID, 2, 'done'],
      ['exported', UID, 'pacs-a'],
    ]);
  });

  test('a revision superseded meanwhile is still reported exported (its results did reach the PACS); the status write is the store’s to refuse', async () => {
    const { deps, calls } = fakes({ results: resultFiles(['sr']), setStatus: false });
    await runExportJob(job, deps);
    expect(calls.slice(-2)).toEqual([
      ['setStatus', UID, 2, 'done'],
      ['exported', UID, 'pacs-a'],
    ]);
  });

  test('an exporter failure is reported and rethrown as is: retryable, and the study is not marked done', async () => {
    const refused = new ExportError('pacs-a: 1 of 2 instances not stored: 1.2.3.1 (0xa700)');
    const { deps, calls } = fakes({ results: resultFiles(['sr', 'seg']), store: () => Promise.reject(refused) });
    const error = await runExportJob(job, deps).catch((e: unknown) => e);
    expect(error).toBe(refused);
    expect(isUnrecoverable(error)).toBe(false); // the queue retries it with backoff
    expect(calls.map((c) => c[0])).toEqual(['exporterFor', 'store', 'exportFailed']);
    expect(calls[2]).toEqual(['exportFailed', UID, 'pacs-a', refused.message]);
  });

  test('a study no longer in the store is unrecoverable; nothing is sent or reported', async () => {
    const { deps, calls } = fakes({ study: null, results: resultFiles(['sr']) });
    const error = await runExportJob(job, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnrecoverableJobError);
    expect((error as Error).message).toBe(`study ${UID} is not in the store`);
    expect(calls).toEqual([]);
  });

  test('no recorded results, or a result file gone from disk, is unrecoverable: analyse again; nothing is sent', async () => {
    const none = fakes({ results: [] });
    const noResults = await runExportJob(job, none.deps).catch((e: unknown) => e);
    expect(noResults).toBeInstanceOf(UnrecoverableJobError);
    expect((noResults as Error).message).toBe(`result files missing for study ${UID} (0 of 0); analyse it again`);
    expect(none.calls).toEqual([]);

    const gone = fakes({ results: resultFiles(['sr', 'seg', 'sc-0'], ['seg']) });
    const missing = await runExportJob(job, gone.deps).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UnrecoverableJobError);
    expect((missing as Error).message).toBe(`result files missing for study ${UID} (1 of 3); analyse it again`);
    expect(gone.calls).toEqual([]);
  });

  test('no destination for the study (exporterFor throws) fails the job as thrown, before anything is sent or reported', async () => {
    const noDestination = new UnrecoverableJobError('export.target pacs-b is not a configured destination');
    const { deps, calls } = fakes({
      results: resultFiles(['sr']),
      exporterFor: () => {
        throw noDestination;
      },
    });
    await expect(runExportJob(job, deps)).rejects.toBe(noDestination);
    expect(calls).toEqual([['exporterFor', UID]]);
  });
});
