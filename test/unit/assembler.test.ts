import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ReceivedInstance } from '../../src/domain/instance';
import { StudyAssembler, StudyReady } from '../../src/pipeline/assembler';
import { JobQueue } from '../../src/pipeline/queue';
import { createSqliteStore, NodeStore } from '../../src/store/sqlite-store';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-assembler-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

/** A node's store, queue and assembler on one database file, with a clock the test moves. */
function node(file: string, clock: { now: Date }, onReady?: (ready: StudyReady[]) => void) {
  const now = (): Date => clock.now;
  const store = createSqliteStore({ path: file, now });
  const queue = new JobQueue({ ...store, backoff: { initialSeconds: 5, maxSeconds: 60 }, maxAttempts: 3, now });
  const assembler = new StudyAssembler({ ...store, queue, quietSeconds: 30, now, onReady });
  return { store, queue, assembler };
}

function receive(store: NodeStore, sop: string, seconds: number, study = '1.2.3'): void {
  const instance: ReceivedInstance = {
    studyInstanceUid: study,
    seriesInstanceUid: `${study}.1`,
    sopInstanceUid: sop,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    modality: 'CT',
    bodyPartExamined: 'ABDOMEN',
    studyDescription: 'CT ABDOMEN',
    seriesDescription: 'AX',
    path: `/spool/${sop}.dcm`,
    sizeBytes: 10,
    source: 'dicomweb',
    callingAet: null,
    sourceUrl: 'http://pacs/dicom-web',
    receivedAt: at(seconds),
  };
  store.ingest.record(instance);
}

describe('study assembler', () => {
  test('the quiet period slides with every new instance; then one analyze job, study queued', () => {
    const clock = { now: at(0) };
    const ready: StudyReady[][] = [];
    const { store, assembler } = node(path.join(tmp, `db-${++n}.sqlite`), clock, (r) => ready.push(r));
    receive(store, '1.2.3.1.1', 0);
    expect(assembler.tick(at(20))).toEqual([]);
    receive(store, '1.2.3.1.2', 25);
    expect(assembler.tick(at(40))).toEqual([]); // 30 s after the first instance, but only 15 s after the last
    expect(store.studies.get('1.2.3')!.status).toBe('receiving');
    const queued = assembler.tick(at(55));
    expect(queued).toEqual([{ studyInstanceUid: '1.2.3', revision: 1, jobId: expect.any(Number) }]);
    expect(ready).toEqual([queued]);
    expect(store.studies.get('1.2.3')!.status).toBe('queued');
    expect(store.jobs.get(queued[0].jobId)).toMatchObject({ kind: 'analyze', state: 'queued', revision: 1, attempts: 0, maxAttempts: 3 });
    // Ticking again changes nothing.
    expect(assembler.tick(at(500))).toEqual([]);
    expect(store.jobs.listByStudy('1.2.3')).toHaveLength(1);
    store.close();
  });

  test('the quiet period survives a restart: a study that went quiet while the node was down is queued by the first tick', () => {
    const file = path.join(tmp, `db-${++n}.sqlite`);
    const clock = { now: at(0) };
    const before = node(file, clock);
    receive(before.store, '1.2.3.1.1', 0);
    receive(before.store, '1.2.3.1.2', 10, '1.2.4');
    expect(before.assembler.tick(at(20))).toEqual([]);
    before.store.close(); // the node stops (or crashes) with both studies still receiving

    clock.now = at(35);
    const after = node(file, clock);
    expect(after.store.studies.listByStatus('receiving').map((s) => s.studyInstanceUid)).toEqual(['1.2.3', '1.2.4']);
    after.assembler.start(60_000); // the first tick runs at once
    after.assembler.stop();
    expect(after.store.studies.get('1.2.3')!.status).toBe('queued');
    expect(after.store.studies.get('1.2.4')!.status).toBe('receiving'); // 25 s quiet only
    expect(after.assembler.tick(at(40)).map((r) => r.studyInstanceUid)).toEqual(['1.2.4']);
    after.store.close();
  });

  test('enqueue is idempotent per study revision; a re-opened study gets a job for its new revision', () => {
    const clock = { now: at(0) };
    const { store, queue, assembler } = node(path.join(tmp, `db-${++n}.sqlite`), clock);
    receive(store, '1.2.3.1.1', 0);
    const [first] = assembler.tick(at(30));
    const again = queue.enqueue({ kind: 'analyze', studyInstanceUid: '1.2.3', revision: 1 });
    expect(again).toEqual({ job: expect.objectContaining({ id: first.jobId }), created: false });
    // Even written straight to the repository, a second live job for the same revision is refused.
    expect(store.jobs.insert({ kind: 'analyze', studyInstanceUid: '1.2.3', revision: 1, maxAttempts: 3, runAt: at(30), now: at(30) })).toBeNull();

    clock.now = at(31);
    const job = queue.claim()!;
    expect(job.id).toBe(first.jobId);
    expect(store.studies.get('1.2.3')!.status).toBe('analysing');
    receive(store, '1.2.3.1.2', 32); // arrives while revision 1 is analysed
    expect(store.studies.get('1.2.3')).toMatchObject({ status: 'receiving', revision: 2 });
    const [second] = assembler.tick(at(62));
    expect(second).toMatchObject({ revision: 2 });
    expect(second.jobId).not.toBe(first.jobId);
    queue.complete(job); // the revision 1 job finishes; the study stays queued for revision 2
    expect(store.studies.get('1.2.3')).toMatchObject({ status: 'queued', revision: 2 });
    expect(store.jobs.listByStudy('1.2.3').map((j) => [j.revision, j.state])).toEqual([
      [1, 'done'],
      [2, 'queued'],
    ]);
    store.close();
  });

  test('rejects a negative quiet period', () => {
    const store = createSqliteStore({ path: ':memory:' });
    const queue = new JobQueue({ ...store, backoff: { initialSeconds: 1, maxSeconds: 1 }, maxAttempts: 1 });
    expect(() => new StudyAssembler({ ...store, queue, quietSeconds: -1 })).toThrow(RangeError);
    store.close();
  });
});
