/**
 * An operator's retry of a failed study (src/pipeline/retry-study.ts) on the real SQLite store and job queue: the study
 * is brought to "failed" the way the node does it (a job dead-lettered by the queue), then retried.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StudyAnalysis } from '../../src/domain/analysis';
import { JobKind, ResultObjectRecord } from '../../src/domain/study';
import { pipelineStore } from '../../src/node/pipeline-store';
import { JobQueue, UnrecoverableJobError } from '../../src/pipeline/queue';
import { retryFailedStudy } from '../../src/pipeline/retry-study';
import { createSqliteStore, NodeStore } from '../../src/store/sqlite-store';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retry-study-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;

const T0 = new Date(Date.UTC(2026, 0, 5, 8));
const UID = '1.2.826.0.1.3680043.8.498.7';
const EXPORT_MAX_ATTEMPTS = 7;
/** What recordAnalysis keeps of an analysis (the rest is stored as JSON and not read here). */
const analysis = { studyInstanceUid: UID, priority: 'urgent', cancerProbability: 0.91, stage: { estimate: 'II' } } as unknown as StudyAnalysis;
const results: ResultObjectRecord[] = [{ kind: 'SR', sopClassUid: '1.2.840.10008.5.1.4.1.1.88.33', sopInstanceUid: '1.2.9.1', seriesInstanceUid: '1.2.9', path: '/spool/sr.dcm' }];

let store: NodeStore;
let queue: JobQueue;
beforeEach(() => {
  store = createSqliteStore({ path: path.join(tmp, `db-${++n}.sqlite`), now: () => T0 });
  queue = new JobQueue({ ...store, backoff: { initialSeconds: 5, maxSeconds: 60 }, maxAttempts: 3, now: () => T0 });
  store.studies.create({ studyInstanceUid: UID, source: 'dimse', callingAet: 'PACS_A', sourceUrl: null, receivedAt: T0 });
});
afterEach(() => store.close());

const retry = (uid = UID, hasResults = (u: string) => store.results.listByStudy(u).length > 0) =>
  retryFailedStudy(uid, { studies: store.studies, queue, exportMaxAttempts: EXPORT_MAX_ATTEMPTS, hasResults });

/** Runs a job of `kind` for the study's current revision into the dead letter, as the runner would. */
function deadLetter(kind: JobKind, reason: string): void {
  const revision = store.studies.get(UID)!.revision;
  queue.enqueue({ kind, studyInstanceUid: UID, revision });
  const job = queue.claim([kind])!;
  queue.fail(job, new UnrecoverableJobError(reason));
}

/** New instances re-open the study: revision + 1, receiving (what the ingest store does on a late arrival). */
function reopen(): void {
  const s = store.studies.get(UID)!;
  store.studies.recordArrival({ ...s, receivedAt: T0, status: 'receiving', revision: s.revision + 1 });
}

describe('retry of a failed study', () => {
  test('a dead-lettered analysis is analysed again: a new analyze job with the default attempts; the study shows queued', () => {
    deadLetter('analyze', 'no series matches a routing rule');
    expect(store.studies.get(UID)).toMatchObject({ status: 'failed', reason: 'analyze failed: no series matches a routing rule' });
    expect(retry()).toEqual({ outcome: 'queued', kind: 'analyze' });
    expect(store.studies.get(UID)).toMatchObject({ status: 'queued', reason: null });
    const [dead, again] = store.jobs.listByStudy(UID).sort((a, b) => a.id - b.id);
    expect(dead).toMatchObject({ kind: 'analyze', state: 'dead' });
    expect(again).toMatchObject({ kind: 'analyze', revision: 1, state: 'queued', attempts: 0, maxAttempts: 3, nextRunAt: T0 });
    expect(queue.claim()).toMatchObject({ id: again.id }); // due at once
  });

  test('a dead-lettered export of an analysed revision with results is exported again, with export.maxAttempts', () => {
    expect(pipelineStore(store, () => T0).saveAnalysis(UID, 1, analysis, results)).toBe(true);
    deadLetter('export', 'pacs-a: association rejected');
    expect(store.studies.get(UID)).toMatchObject({ status: 'failed', analysedRevision: 1 });
    expect(retry()).toEqual({ outcome: 'queued', kind: 'export' });
    expect(store.studies.get(UID)).toMatchObject({ status: 'queued', reason: null });
    const live = store.jobs.listByStudy(UID).filter((j) => j.state === 'queued');
    expect(live).toEqual([expect.objectContaining({ kind: 'export', revision: 1, attempts: 0, maxAttempts: EXPORT_MAX_ATTEMPTS })]);
  });

  test('an analysed revision whose results are gone is analysed again, not exported', () => {
    pipelineStore(store, () => T0).saveAnalysis(UID, 1, analysis, results);
    deadLetter('export', 'result files missing');
    expect(retry(UID, () => false)).toEqual({ outcome: 'queued', kind: 'analyze' });
  });

  test('a study re-opened after its analysis failed at the new revision is analysed again at that revision, old results or not', () => {
    pipelineStore(store, () => T0).saveAnalysis(UID, 1, analysis, results);
    reopen();
    deadLetter('analyze', 'undecodable pixel data');
    expect(store.studies.get(UID)).toMatchObject({ status: 'failed', revision: 2, analysedRevision: 1 });
    expect(retry()).toEqual({ outcome: 'queued', kind: 'analyze' });
    expect(store.jobs.listByStudy(UID).filter((j) => j.state === 'queued')).toEqual([expect.objectContaining({ kind: 'analyze', revision: 2 })]);
  });

  test('a study that is not failed is left alone: no job, status unchanged', () => {
    for (const status of ['receiving', 'analysing', 'done', 'skipped'] as const) {
      store.studies.setStatus({ studyInstanceUid: UID, revision: 1, status, reason: status === 'skipped' ? 'not gastric' : null });
      expect(retry()).toEqual({ outcome: 'not-failed' });
      expect(store.studies.get(UID)!.status).toBe(status);
    }
    expect(store.jobs.listByStudy(UID)).toEqual([]);
    // Retried once, a failed study is queued: a second retry is refused and queues nothing more.
    deadLetter('analyze', 'model package missing');
    expect(retry()).toEqual({ outcome: 'queued', kind: 'analyze' });
    expect(retry()).toEqual({ outcome: 'not-failed' });
    expect(store.jobs.listByStudy(UID).filter((j) => j.state === 'queued')).toHaveLength(1);
  });

  test('an unknown study is not found and changes nothing', () => {
    expect(retry('1.2.3.404')).toEqual({ outcome: 'not-found' });
    expect(store.jobs.listByStudy('1.2.3.404')).toEqual([]);
    expect(queue.metrics().byState).toEqual({ queued: 0, running: 0, done: 0, dead: 0 });
  });
});
