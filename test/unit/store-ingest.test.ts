import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ReceivedInstance } from '../../src/domain/instance';
import { openDatabase, SCHEMA_VERSION } from '../../src/store/database';
import { createSqliteStore, NodeStore } from '../../src/store/sqlite-store';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-store-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const dbPath = (): string => path.join(tmp, `db-${++n}`, 'node.sqlite');

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

function instance(over: Partial<ReceivedInstance> & { sop: string; study?: string }): ReceivedInstance {
  const { sop, study, ...rest } = over;
  return {
    studyInstanceUid: study ?? '1.2.3.1',
    seriesInstanceUid: '1.2.3.1.1',
    sopInstanceUid: sop,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.77.1.1',
    transferSyntaxUid: '1.2.840.10008.1.2.4.50',
    modality: 'ES',
    bodyPartExamined: 'STOMACH',
    studyDescription: 'EGD',
    seriesDescription: 'Endoscopy',
    path: `/spool/${sop}.dcm`,
    sizeBytes: 1000,
    source: 'dimse',
    callingAet: 'PACS',
    sourceUrl: null,
    receivedAt: at(0),
    ...rest,
  };
}

describe('database', () => {
  test('opens with WAL, NORMAL sync, a busy timeout and the current schema version; reopening migrates nothing', () => {
    const file = dbPath();
    const db = openDatabase(file, { busyTimeoutMs: 1234 });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.prepare("INSERT INTO kv (key, value) VALUES ('k', 'v')").run();
    db.close();
    const again = openDatabase(file);
    expect(again.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(again.prepare('SELECT value FROM kv').get()).toEqual({ value: 'v' });
    again.close();
  });

  test('refuses a database written by newer software', () => {
    const file = dbPath();
    const db = openDatabase(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer than this software/);
  });
});

describe('ingest store', () => {
  let store: NodeStore;
  afterEach(() => store?.close());

  test('first instance creates a receiving study; a resent instance replaces its row and is counted once', async () => {
    store = createSqliteStore({ path: dbPath() });
    await store.ingest.accept(instance({ sop: '1.2.3.1.1.1' }));
    await store.ingest.accept(instance({ sop: '1.2.3.1.1.2', receivedAt: at(5), modality: 'CT', seriesInstanceUid: '1.2.3.1.2' }));
    await store.ingest.accept(instance({ sop: '1.2.3.1.1.1', receivedAt: at(9), path: '/spool/resent.dcm', sizeBytes: 2000 }));

    const study = store.studies.get('1.2.3.1')!;
    expect(study).toMatchObject({ status: 'receiving', revision: 1, instanceCount: 2, modalities: ['CT', 'ES'], source: 'dimse', callingAet: 'PACS' });
    expect(study.firstReceivedAt).toEqual(at(0));
    expect(study.lastReceivedAt).toEqual(at(9));
    expect(store.instances.get('1.2.3.1.1.1')).toMatchObject({ path: '/spool/resent.dcm', sizeBytes: 2000 });
    expect(store.instances.listByStudy('1.2.3.1').map((i) => i.sopInstanceUid)).toEqual(['1.2.3.1.1.1', '1.2.3.1.1.2']);
  });

  test('last_received_at never moves back (an instance stamped earlier does not shorten the quiet period)', () => {
    store = createSqliteStore({ path: dbPath() });
    store.ingest.record(instance({ sop: '1.9.1', receivedAt: at(20) }));
    const study = store.ingest.record(instance({ sop: '1.9.2', receivedAt: at(10) }));
    expect(study.lastReceivedAt).toEqual(at(20));
  });

  test('an instance for an analysed study bumps the revision and re-opens it; older status writes are ignored', () => {
    store = createSqliteStore({ path: dbPath() });
    store.ingest.record(instance({ sop: '1.5.1' }));
    expect(store.studies.setStatus({ studyInstanceUid: '1.2.3.1', revision: 1, status: 'done' })).toBe(true);
    const reopened = store.ingest.record(instance({ sop: '1.5.2', receivedAt: at(60), source: 'dicomweb', callingAet: null, sourceUrl: 'http://pacs/dicom-web' }));
    expect(reopened).toMatchObject({ status: 'receiving', revision: 2, instanceCount: 2, source: 'dicomweb', sourceUrl: 'http://pacs/dicom-web' });
    // A job still working on revision 1 cannot mark the re-opened study done.
    expect(store.studies.setStatus({ studyInstanceUid: '1.2.3.1', revision: 1, status: 'done' })).toBe(false);
    expect(store.studies.get('1.2.3.1')!.status).toBe('receiving');
  });

  test('a resent instance of an analysed study does not re-open it (no analyse-export-forward loop)', () => {
    store = createSqliteStore({ path: dbPath() });
    store.ingest.record(instance({ sop: '1.5.1' }));
    store.studies.setStatus({ studyInstanceUid: '1.2.3.1', revision: 1, status: 'done' });
    const again = store.ingest.record(instance({ sop: '1.5.1', receivedAt: at(90) }));
    expect(again).toMatchObject({ status: 'done', revision: 1, instanceCount: 1 });
  });

  test('an instance for a queued study withdraws the queued job and keeps the revision (nothing was analysed)', () => {
    store = createSqliteStore({ path: dbPath(), now: () => at(40) });
    store.ingest.record(instance({ sop: '1.6.1' }));
    const job = store.jobs.insert({ kind: 'analyze', studyInstanceUid: '1.2.3.1', revision: 1, maxAttempts: 3, runAt: at(31), now: at(31) })!;
    store.studies.setStatus({ studyInstanceUid: '1.2.3.1', revision: 1, status: 'queued' });
    const study = store.ingest.record(instance({ sop: '1.6.2', receivedAt: at(40) }));
    expect(study).toMatchObject({ status: 'receiving', revision: 1 });
    expect(store.jobs.get(job.id)).toMatchObject({ state: 'done', lastError: expect.stringMatching(/superseded/) });
    expect(store.jobs.findLive('1.2.3.1', 'analyze', 1)).toBeNull();
  });

  test('a re-opened failed study clears its reason; an instance moved to another study leaves both counts true', () => {
    store = createSqliteStore({ path: dbPath() });
    store.ingest.record(instance({ sop: '1.7.1' }));
    store.ingest.record(instance({ sop: '1.7.2' }));
    store.studies.setStatus({ studyInstanceUid: '1.2.3.1', revision: 1, status: 'failed', reason: 'analyze failed: boom' });
    store.ingest.record(instance({ sop: '1.7.2', study: '1.2.3.2' }));
    expect(store.studies.get('1.2.3.1')).toMatchObject({ instanceCount: 1, status: 'failed', reason: 'analyze failed: boom' });
    expect(store.studies.get('1.2.3.2')).toMatchObject({ instanceCount: 1, revision: 1 });
    store.ingest.record(instance({ sop: '1.7.3' }));
    expect(store.studies.get('1.2.3.1')).toMatchObject({ instanceCount: 2, status: 'receiving', revision: 2, reason: null });
  });

  test('state survives closing and reopening the database; the key-value store keeps the poller watermark', () => {
    const file = dbPath();
    store = createSqliteStore({ path: file });
    store.ingest.record(instance({ sop: '1.8.1', receivedAt: at(3) }));
    store.kv.setJson('dicomweb.watermark', { since: '20260105' });
    store.kv.set('seen', 'a');
    store.kv.set('seen', 'b');
    store.close();
    store = createSqliteStore({ path: file });
    expect(store.studies.get('1.2.3.1')).toMatchObject({ status: 'receiving', instanceCount: 1, lastReceivedAt: at(3) });
    expect(store.kv.getJson('dicomweb.watermark', null)).toEqual({ since: '20260105' });
    expect(store.kv.get('seen')).toBe('b');
    store.kv.delete('seen');
    expect(store.kv.get('seen')).toBeNull();
    expect(store.kv.getJson('absent', 7)).toBe(7);
  });
});
