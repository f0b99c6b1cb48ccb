import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backoffDelayMs, backoffPolicyFromConfig } from '../../src/pipeline/backoff';
import { JobQueue, JobRunner, UnrecoverableJobError } from '../../src/pipeline/queue';
import { StoredJob } from '../../src/store/job-repository';
import { createSqliteStore, NodeStore } from '../../src/store/sqlite-store';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-queue-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

interface Node {
  store: NodeStore;
  queue: JobQueue;
  clock: { now: Date };
}

function node(options: { file?: string; maxAttempts?: number; initialSeconds?: number; clock?: { now: Date } } = {}): Node {
  const file = options.file ?? path.join(tmp, `db-${++n}.sqlite`);
  const clock = options.clock ?? { now: at(0) };
  const now = (): Date => clock.now;
  const store = createSqliteStore({ path: file, now });
  const backoff = { initialSeconds: options.initialSeconds ?? 5, maxSeconds: 60 };
  const queue = new JobQueue({ ...store, backoff, maxAttempts: options.maxAttempts ?? 3, now });
  return { store, queue, clock };
}

/** A study at revision 1 (receiving), as ingest leaves it. */
function study(store: NodeStore, uid: string): void {
  store.studies.create({ studyInstanceUid: uid, source: 'dimse', callingAet: 'PACS', sourceUrl: null, receivedAt: at(0) });
}

const open: Node[] = [];
afterEach(() => {
  for (const x of open.splice(0)) if (x.store.db.open) x.store.close();
});
function track(x: Node): Node {
  open.push(x);
  return x;
}

describe('backoff', () => {
  test('initial × 2^(attempt − 1), capped', () => {
    const policy = backoffPolicyFromConfig({ backoffInitialSeconds: 5, backoffMaxSeconds: 600 });
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((a) => backoffDelayMs(a, policy) / 1000)).toEqual([5, 10, 20, 40, 80, 160, 320, 600, 600]);
    expect(backoffDelayMs(5000, policy)).toBe(600_000);
    expect(backoffDelayMs(3, { initialSeconds: 0, maxSeconds: 10 })).toBe(0);
    expect(backoffDelayMs(2, { initialSeconds: 0.25, maxSeconds: 10 })).toBe(500);
    expect(() => backoffDelayMs(0, policy)).toThrow(RangeError);
  });
});

describe('job queue', () => {
  test('claim takes the job due first, only when due, only of the asked kinds; attempts + 1; study marked', () => {
    const { store, queue, clock } = track(node());
    study(store, '1.1');
    study(store, '1.2');
    const later = queue.enqueue({ kind: 'analyze', studyInstanceUid: '1.1', revision: 1, runAt: at(10) }).job;
    const sooner = queue.enqueue({ kind: 'analyze', studyInstanceUid: '1.2', revision: 1, runAt: at(5) }).job;
    const exp = queue.enqueue({ kind: 'export', studyInstanceUid: '1.1', revision: 1, runAt: at(0), maxAttempts: 7 }).job;
    expect(queue.claim(['analyze'])).toBeNull(); // none due yet
    clock.now = at(10);
    expect(queue.claim(['analyze'])).toMatchObject({ id: sooner.id, state: 'running', attempts: 1 });
    expect(store.studies.get('1.2')!.status).toBe('analysing');
    expect(queue.claim(['analyze'])).toMatchObject({ id: later.id });
    expect(queue.claim(['analyze'])).toBeNull();
    expect(queue.claim()).toMatchObject({ id: exp.id, kind: 'export', maxAttempts: 7 });
    expect(store.studies.get('1.1')!.status).toBe('exporting');
    expect(queue.metrics()).toEqual({
      depth: 0,
      ready: 0,
      byState: { queued: 0, running: 3, done: 0, dead: 0 },
      byKind: { analyze: { queued: 0, running: 2, done: 0, dead: 0 }, export: { queued: 0, running: 1, done: 0, dead: 0 } },
    });
  });

  test('a failed attempt is retried after the backoff; the last one goes to the dead letter with its reason', () => {
    const { store, queue, clock } = track(node());
    study(store, '2.1');
    queue.enqueue({ kind: 'analyze', studyInstanceUid: '2.1', revision: 1 });
    const schedule: number[] = [];
    let job = queue.claim()!;
    for (let attempt = 1; attempt <= 2; attempt++) {
      const retry = queue.fail(job, new Error(`PACS unreachable (${attempt})`))!;
      expect(retry).toMatchObject({ state: 'queued', attempts: attempt, lastError: `PACS unreachable (${attempt})` });
      schedule.push((retry.nextRunAt.getTime() - clock.now.getTime()) / 1000);
      expect(queue.metrics()).toMatchObject({ depth: 1, ready: 0 });
      clock.now = new Date(retry.nextRunAt.getTime() - 1);
      expect(queue.claim()).toBeNull(); // still backing off
      clock.now = retry.nextRunAt;
      job = queue.claim()!;
      expect(job.attempts).toBe(attempt + 1);
    }
    expect(schedule).toEqual([5, 10]);
    const dead = queue.fail(job, new Error('PACS unreachable (3)'))!;
    expect(dead).toMatchObject({ state: 'dead', attempts: 3, lastError: 'PACS unreachable (3) (after 3 attempts)' });
    expect(store.studies.get('2.1')).toMatchObject({ status: 'failed', reason: 'analyze failed: PACS unreachable (3) (after 3 attempts)' });
    expect(queue.claim()).toBeNull();
    expect(queue.metrics().byState).toEqual({ queued: 0, running: 0, done: 0, dead: 1 });
    // Completing or failing a job that is no longer running changes nothing.
    expect(queue.complete(job)).toBeNull();
    expect(queue.fail(job, new Error('again'))).toBeNull();
  });

  test('an unrecoverable error, or retryable: false, dead-letters after one attempt', () => {
    const { store, queue } = track(node({ maxAttempts: 5 }));
    study(store, '3.1');
    study(store, '3.2');
    queue.enqueue({ kind: 'analyze', studyInstanceUid: '3.1', revision: 1 });
    queue.enqueue({ kind: 'export', studyInstanceUid: '3.2', revision: 1 });
    const a = queue.claim()!;
    expect(queue.fail(a, new UnrecoverableJobError('no series matches a routing rule'))).toMatchObject({ state: 'dead', attempts: 1, lastError: 'no series matches a routing rule' });
    expect(store.studies.get('3.1')).toMatchObject({ status: 'failed', reason: 'analyze failed: no series matches a routing rule' });
    const b = queue.claim()!;
    expect(queue.fail(b, new Error('destination rejected the SOP class'), { retryable: false })).toMatchObject({ state: 'dead', attempts: 1 });
  });

  test('crash recovery: a job left running in a reopened database is resumed exactly once', () => {
    const file = path.join(tmp, `db-${++n}.sqlite`);
    const clock = { now: at(0) };
    const before = track(node({ file, clock }));
    study(before.store, '4.1');
    study(before.store, '4.2');
    before.queue.enqueue({ kind: 'analyze', studyInstanceUid: '4.1', revision: 1 });
    before.queue.enqueue({ kind: 'analyze', studyInstanceUid: '4.2', revision: 1, maxAttempts: 1 });
    const interrupted = before.queue.claim()!;
    const lastTry = before.queue.claim()!;
    expect([interrupted.studyInstanceUid, lastTry.studyInstanceUid]).toEqual(['4.1', '4.2']);
    before.store.close(); // the process dies mid-job

    clock.now = at(100);
    const after = track(node({ file, clock }));
    const recovered = after.queue.recoverInterrupted();
    expect(recovered.resumed.map((j) => [j.id, j.state, j.attempts, j.lastError])).toEqual([[interrupted.id, 'queued', 1, 'interrupted by a restart']]);
    expect(recovered.resumed[0].nextRunAt).toEqual(at(100)); // at once, no backoff
    // A job interrupted on its last attempt is not retried forever: it may be what crashed the node.
    expect(recovered.dead.map((j) => [j.id, j.state])).toEqual([[lastTry.id, 'dead']]);
    expect(after.store.studies.get('4.2')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/interrupted by a restart on its last attempt/) });

    const resumed = after.queue.claim()!;
    expect(resumed).toMatchObject({ id: interrupted.id, attempts: 2, state: 'running' });
    // Running recovery again while the resumed job runs must not hand it out a second time.
    expect(after.queue.recoverInterrupted()).toEqual({ resumed: [], dead: [] });
    expect(after.queue.claim()).toBeNull();
    expect(after.queue.complete(resumed)).toMatchObject({ state: 'done', lastError: null });
  });
});

describe('job runner', () => {
  // The runner's poll timer never fires in these tests (a minute): they call wake() where a poll would, so what a
  // test sees is what the runner decided, not what a timer happened to do. Time in the queue is the injected clock.
  const NEVER = 60_000;
  /** Polls a condition of the store or runner (handlers finish on promise callbacks, not on a timer). */
  async function until(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setImmediate(r));
    }
  }

  test('runs handlers per kind with bounded concurrency; a finished job starts the next; stop waits for running handlers', async () => {
    const { store, queue } = track(node());
    const uids = ['5.1', '5.2', '5.3', '5.4', '5.5'];
    for (const uid of uids) {
      study(store, uid);
      queue.enqueue({ kind: 'analyze', studyInstanceUid: uid, revision: 1 });
    }
    let active = 0;
    let peak = 0;
    const seen: string[] = [];
    const log: string[] = [];
    const gates: Array<() => void> = [];
    const runner = new JobRunner({
      queue,
      concurrency: 2,
      pollIntervalMs: NEVER,
      handlers: {
        analyze: async (job: StoredJob) => {
          active++;
          peak = Math.max(peak, active);
          seen.push(job.studyInstanceUid);
          await new Promise<void>((resolve) => gates.push(resolve));
          active--;
          log.push(`end ${job.studyInstanceUid}`);
        },
      },
    });
    runner.start(); // claims at once, up to the concurrency
    expect(seen).toEqual(['5.1', '5.2']);
    expect(runner.active).toBe(2);
    runner.wake(); // a poll while both slots are busy claims nothing
    expect(seen).toEqual(['5.1', '5.2']);
    expect(queue.metrics().byState).toEqual({ queued: 3, running: 2, done: 0, dead: 0 });

    gates.shift()!(); // one finishes: the next starts at once, without waiting for the poll
    await until('a third handler started', () => seen.length === 3);
    expect(queue.metrics().byState).toEqual({ queued: 2, running: 2, done: 1, dead: 0 });

    const stopped = runner.stop();
    void stopped.then(() => log.push('stopped'));
    runner.wake(); // stopped: claims nothing more
    for (const open of gates.splice(0)) open();
    await stopped;
    // stop resolved only after the two running handlers ended, and their outcome was recorded.
    expect(log).toEqual(['end 5.1', 'end 5.2', 'end 5.3', 'stopped']);
    expect(peak).toBe(2);
    expect(seen).toHaveLength(3); // nothing claimed after stop
    expect(queue.metrics().byState).toEqual({ queued: 2, running: 0, done: 3, dead: 0 });
  });

  test('a throwing handler is retried after the backoff until it succeeds; an unrecoverable one is dead after one attempt', async () => {
    const { store, queue, clock } = track(node({ initialSeconds: 5, maxAttempts: 4 }));
    study(store, '6.1');
    study(store, '6.2');
    queue.enqueue({ kind: 'analyze', studyInstanceUid: '6.1', revision: 1 });
    queue.enqueue({ kind: 'export', studyInstanceUid: '6.2', revision: 1 });
    const tries: Record<string, number> = {};
    const runner = new JobRunner({
      queue,
      concurrency: 1,
      pollIntervalMs: NEVER,
      handlers: {
        analyze: async (job) => {
          tries[job.studyInstanceUid] = (tries[job.studyInstanceUid] ?? 0) + 1;
          if (tries[job.studyInstanceUid] < 3) throw new Error('model package still loading');
        },
        export: async (job) => {
          tries[job.studyInstanceUid] = (tries[job.studyInstanceUid] ?? 0) + 1;
          throw new UnrecoverableJobError('no destination for this study');
        },
      },
    });
    const analyze = (): StoredJob => store.jobs.listByStudy('6.1')[0];
    const idle = (what: string): Promise<void> => until(what, () => runner.active === 0);

    runner.start();
    // The analysis fails (backoff 5 s); its finish starts the export at once, which is dead after one attempt.
    await until('the export is dead', () => queue.metrics().byState.dead === 1);
    await idle('the runner is idle');
    expect(tries).toEqual({ '6.1': 1, '6.2': 1 });
    expect(store.jobs.listByStudy('6.2')[0]).toMatchObject({ state: 'dead', attempts: 1, lastError: 'no destination for this study' });
    expect(store.studies.get('6.2')).toMatchObject({ status: 'failed', reason: 'export failed: no destination for this study' });
    expect(analyze()).toMatchObject({ state: 'queued', attempts: 1, lastError: 'model package still loading', nextRunAt: at(5) });

    clock.now = new Date(at(5).getTime() - 1);
    runner.wake(); // still backing off: not claimed
    expect(runner.active).toBe(0);
    expect(tries['6.1']).toBe(1);

    clock.now = at(5);
    runner.wake();
    expect(tries['6.1']).toBe(2);
    await idle('the second attempt is recorded');
    expect(analyze()).toMatchObject({ state: 'queued', attempts: 2, nextRunAt: at(15) }); // 5 s × 2

    clock.now = at(15);
    runner.wake();
    await idle('the third attempt is recorded');
    await runner.stop();
    expect(tries).toEqual({ '6.1': 3, '6.2': 1 });
    expect(analyze()).toMatchObject({ state: 'done', attempts: 3, lastError: null });
  });

  test('kinds without a handler stay queued', async () => {
    const { store, queue } = track(node());
    study(store, '7.1');
    study(store, '7.2');
    queue.enqueue({ kind: 'export', studyInstanceUid: '7.1', revision: 1 });
    queue.enqueue({ kind: 'analyze', studyInstanceUid: '7.2', revision: 1 });
    const ran: string[] = [];
    const runner = new JobRunner({
      queue,
      concurrency: 2, // a free slot for the export, were it claimable
      pollIntervalMs: NEVER,
      handlers: { analyze: async (job) => void ran.push(job.studyInstanceUid) },
    });
    runner.start();
    expect(ran).toEqual(['7.2']); // the runner does claim what it has a handler for, though queued after the export
    await until('the analysis is done', () => runner.active === 0 && queue.metrics().byState.done === 1);
    runner.wake();
    expect(runner.active).toBe(0);
    await runner.stop();
    expect(store.jobs.listByStudy('7.1')[0]).toMatchObject({ state: 'queued', attempts: 0 });
    expect(store.studies.get('7.1')!.status).toBe('receiving');
  });
});
