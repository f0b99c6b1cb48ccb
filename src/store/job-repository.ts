/**
 * Durable jobs. The state machine (queued → running → done | queued again | dead) is driven by the JobQueue in
 * src/pipeline/queue.ts; this repository only runs the guarded transitions, each a single statement that names the
 * state it expects, so a transition applied twice (or to a job another claimer took) changes nothing.
 */
import { JobKind, JobRecord, JobState } from '../domain/study';
import { fromMs, SqliteDatabase, toMs } from './database';

/** A job with the study revision it was created for. */
export interface StoredJob extends JobRecord {
  revision: number;
}

export interface NewJob {
  kind: JobKind;
  studyInstanceUid: string;
  revision: number;
  maxAttempts: number;
  runAt: Date;
  now: Date;
}

export interface JobRepository {
  /** Inserts a queued job; null when a live (queued/running) job of that kind already exists for the revision. */
  insert(job: NewJob): StoredJob | null;
  get(id: number): StoredJob | null;
  findLive(studyInstanceUid: string, kind: JobKind, revision: number): StoredJob | null;
  /** The ready job (next_run_at <= now) that is due first → running, attempts + 1. Atomic across connections. */
  claimNext(options: { now: Date; kinds: readonly JobKind[] }): StoredJob | null;
  /** running → done (last_error cleared: a done job with an error is one that was superseded). */
  complete(id: number, now: Date): StoredJob | null;
  /** running → queued at `nextRunAt` (a retry, or a resume after a crash). */
  requeue(id: number, options: { nextRunAt: Date; lastError: string | null; now: Date }): StoredJob | null;
  /** queued/running → dead with the reason. */
  markDead(id: number, options: { lastError: string; now: Date }): StoredJob | null;
  /** Queued jobs of a study that new instances made obsolete → done, with `note` as last_error; returns them. */
  supersedeQueued(studyInstanceUid: string, note: string, now: Date): StoredJob[];
  listByState(state: JobState): StoredJob[];
  listByStudy(studyInstanceUid: string): StoredJob[];
  countByKindAndState(): Array<{ kind: JobKind; state: JobState; count: number }>;
  /** Queued jobs whose next_run_at <= now. */
  countReady(now: Date): number;
}

interface JobRow {
  id: number;
  kind: JobKind;
  study_uid: string;
  revision: number;
  state: JobState;
  attempts: number;
  max_attempts: number;
  next_run_at: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

function jobFromRow(row: JobRow): StoredJob {
  return {
    id: row.id,
    kind: row.kind,
    studyInstanceUid: row.study_uid,
    revision: row.revision,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    nextRunAt: fromMs(row.next_run_at),
    lastError: row.last_error,
    createdAt: fromMs(row.created_at),
    updatedAt: fromMs(row.updated_at),
  };
}

const orNull = (row: unknown): StoredJob | null => (row ? jobFromRow(row as JobRow) : null);

export class SqliteJobRepository implements JobRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(job: NewJob): StoredJob | null {
    // The partial unique index jobs_live makes a second live job for the same (study, kind, revision) a no-op.
    const row = this.db
      .prepare(
        `INSERT INTO jobs (kind, study_uid, revision, state, attempts, max_attempts, next_run_at, created_at, updated_at)
         VALUES (?, ?, ?, 'queued', 0, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING RETURNING *`,
      )
      .get(job.kind, job.studyInstanceUid, job.revision, job.maxAttempts, toMs(job.runAt), toMs(job.now), toMs(job.now));
    return orNull(row);
  }

  get(id: number): StoredJob | null {
    return orNull(this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id));
  }

  findLive(studyInstanceUid: string, kind: JobKind, revision: number): StoredJob | null {
    const sql = `SELECT * FROM jobs WHERE study_uid = ? AND kind = ? AND revision = ? AND state IN ('queued', 'running')`;
    return orNull(this.db.prepare(sql).get(studyInstanceUid, kind, revision));
  }

  claimNext(options: { now: Date; kinds: readonly JobKind[] }): StoredJob | null {
    if (options.kinds.length === 0) return null;
    const now = toMs(options.now);
    const placeholders = options.kinds.map(() => '?').join(', ');
    const claim = this.db.prepare(
      `UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = ?
       WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND next_run_at <= ? AND kind IN (${placeholders})
                   ORDER BY next_run_at, id LIMIT 1)
         AND state = 'queued'
       RETURNING *`,
    );
    // BEGIN IMMEDIATE takes the write lock before the SELECT, so a second connection waits (busy_timeout) and then
    // sees this claim: it can never read the same queued row (a deferred read-then-write could, or fail BUSY_SNAPSHOT).
    return this.db.transaction(() => orNull(claim.get(now, now, ...options.kinds))).immediate();
  }

  complete(id: number, now: Date): StoredJob | null {
    const sql = `UPDATE jobs SET state = 'done', last_error = NULL, updated_at = ?
                 WHERE id = ? AND state = 'running' RETURNING *`;
    return orNull(this.db.prepare(sql).get(toMs(now), id));
  }

  requeue(id: number, options: { nextRunAt: Date; lastError: string | null; now: Date }): StoredJob | null {
    const sql = `UPDATE jobs SET state = 'queued', next_run_at = ?, last_error = ?, updated_at = ?
                 WHERE id = ? AND state = 'running' RETURNING *`;
    return orNull(this.db.prepare(sql).get(toMs(options.nextRunAt), options.lastError, toMs(options.now), id));
  }

  markDead(id: number, options: { lastError: string; now: Date }): StoredJob | null {
    const sql = `UPDATE jobs SET state = 'dead', last_error = ?, updated_at = ?
                 WHERE id = ? AND state IN ('queued', 'running') RETURNING *`;
    return orNull(this.db.prepare(sql).get(options.lastError, toMs(options.now), id));
  }

  supersedeQueued(studyInstanceUid: string, note: string, now: Date): StoredJob[] {
    const sql = `UPDATE jobs SET state = 'done', last_error = ?, updated_at = ?
                 WHERE study_uid = ? AND state = 'queued' RETURNING *`;
    return (this.db.prepare(sql).all(note, toMs(now), studyInstanceUid) as JobRow[]).map(jobFromRow);
  }

  listByState(state: JobState): StoredJob[] {
    return (this.db.prepare('SELECT * FROM jobs WHERE state = ? ORDER BY id').all(state) as JobRow[]).map(jobFromRow);
  }

  listByStudy(studyInstanceUid: string): StoredJob[] {
    return (this.db.prepare('SELECT * FROM jobs WHERE study_uid = ? ORDER BY id').all(studyInstanceUid) as JobRow[]).map(jobFromRow);
  }

  countByKindAndState(): Array<{ kind: JobKind; state: JobState; count: number }> {
    const sql = 'SELECT kind, state, COUNT(*) AS count FROM jobs GROUP BY kind, state ORDER BY kind, state';
    return this.db.prepare(sql).all() as Array<{ kind: JobKind; state: JobState; count: number }>;
  }

  countReady(now: Date): number {
    const sql = `SELECT COUNT(*) AS n FROM jobs WHERE state = 'queued' AND next_run_at <= ?`;
    return (this.db.prepare(sql).get(toMs(now)) as { n: number }).n;
  }
}
