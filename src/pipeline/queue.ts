/**
 * Durable job queue on the jobs table, and the runner that works it.
 *
 * Life of a job: queued → (claim: attempts + 1) running → done; or, on failure, queued again after an exponential
 * backoff, or dead (the dead letter, with the reason) when it was the last attempt or the error is unrecoverable.
 * The queue also moves the study along where the job's fate decides it: claiming an analyze/export job marks the
 * study analysing/exporting, a dead job marks it failed with the reason. All study writes are revision-guarded, so
 * a job of an older revision cannot touch a study that new instances re-opened. Everything else (skipped, done,
 * enqueueing the export) is the worker's decision.
 */
import { JobKind, JobState } from '../domain/study';
import { Logger, silentLogger } from '../logging/logger';
import { redactText } from '../security/redact';
import { Transactor } from '../store/database';
import { JobRepository, StoredJob } from '../store/job-repository';
import { StudyRepository } from '../store/study-repository';
import { BackoffPolicy, backoffDelayMs } from './backoff';

/**
 * Bad input that no retry can fix (unsupported SOP class, not a gastric study, undecodable file): the job goes to
 * the dead letter after this attempt. Other error classes opt in with a truthy `unrecoverable` property.
 */
export class UnrecoverableJobError extends Error {
  readonly unrecoverable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnrecoverableJobError';
  }
}

export function isUnrecoverable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { unrecoverable?: unknown }).unrecoverable === true;
}

const JOB_KINDS: readonly JobKind[] = ['analyze', 'export'];
const JOB_STATES: readonly JobState[] = ['queued', 'running', 'done', 'dead'];
/** A job's error as stored and shown (API, logs): with any URL password masked (issue 12). */
const errorText = (error: unknown): string => redactText((error instanceof Error ? error.message : String(error)) || 'unknown error');

export interface JobQueueOptions {
  jobs: JobRepository;
  studies: StudyRepository;
  transactor: Transactor;
  backoff: BackoffPolicy;
  /** Default attempts per job (config queue.maxAttempts). */
  maxAttempts: number;
  now?: () => Date;
  logger?: Logger;
}

export interface EnqueueRequest {
  kind: JobKind;
  studyInstanceUid: string;
  revision: number;
  maxAttempts?: number;
  runAt?: Date;
}

export interface QueueMetrics {
  /** Jobs waiting (queued, due or in backoff). */
  depth: number;
  /** Queued jobs due now. */
  ready: number;
  byState: Record<JobState, number>;
  byKind: Record<JobKind, Record<JobState, number>>;
}

export class JobQueue {
  private readonly now: () => Date;
  private readonly logger: Logger;
  /** Jobs this process claimed and has not finished: never "recovered" from under a live handler. */
  private readonly claimed = new Set<number>();

  constructor(private readonly options: JobQueueOptions) {
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? silentLogger;
  }

  /** Adds a job unless a live one exists for (study, kind, revision); returns the live job either way. */
  enqueue(request: EnqueueRequest): { job: StoredJob; created: boolean } {
    const { jobs, transactor } = this.options;
    return transactor.run(() => {
      const now = this.now();
      const created = jobs.insert({
        kind: request.kind,
        studyInstanceUid: request.studyInstanceUid,
        revision: request.revision,
        maxAttempts: request.maxAttempts ?? this.options.maxAttempts,
        runAt: request.runAt ?? now,
        now,
      });
      if (created) return { job: created, created: true };
      const live = jobs.findLive(request.studyInstanceUid, request.kind, request.revision);
      if (!live) throw new Error(`job for study ${request.studyInstanceUid} revision ${request.revision} neither inserted nor live`);
      return { job: live, created: false };
    });
  }

  /** Atomically takes the job due first (of `kinds`): running, attempts + 1. Null when none is due. */
  claim(kinds: readonly JobKind[] = JOB_KINDS): StoredJob | null {
    const { jobs, studies, transactor } = this.options;
    const job = transactor.run(() => {
      const claimed = jobs.claimNext({ now: this.now(), kinds });
      if (claimed) {
        const status = claimed.kind === 'analyze' ? 'analysing' : 'exporting';
        studies.setStatus({ studyInstanceUid: claimed.studyInstanceUid, revision: claimed.revision, status });
      }
      return claimed;
    });
    if (job) this.claimed.add(job.id);
    return job;
  }

  complete(job: StoredJob): StoredJob | null {
    this.claimed.delete(job.id);
    const done = this.options.jobs.complete(job.id, this.now());
    if (!done) this.logger.warn('job completed but was no longer running', { jobId: job.id });
    return done;
  }

  /**
   * Records a failed attempt: queued again after the backoff, or dead when attempts are used up or the error is not
   * retryable (`retryable` defaults to "not an unrecoverable error").
   */
  fail(job: StoredJob, error: unknown, options: { retryable?: boolean } = {}): StoredJob | null {
    this.claimed.delete(job.id);
    const retryable = options.retryable ?? !isUnrecoverable(error);
    const message = errorText(error);
    const { jobs } = this.options;
    const current = jobs.get(job.id);
    if (!current || current.state !== 'running') {
      this.logger.warn('job failed but was no longer running', { jobId: job.id });
      return null;
    }
    const now = this.now();
    if (retryable && current.attempts < current.maxAttempts) {
      const nextRunAt = new Date(now.getTime() + backoffDelayMs(current.attempts, this.options.backoff));
      const retry = jobs.requeue(job.id, { nextRunAt, lastError: message, now });
      this.logger.warn('job failed; will retry', { jobId: job.id, kind: job.kind, studyInstanceUid: job.studyInstanceUid, attempt: current.attempts, nextRunAt: nextRunAt.toISOString(), error: message });
      return retry;
    }
    const reason = retryable ? `${message} (after ${current.attempts} attempts)` : message;
    return this.deadLetter(current, reason);
  }

  /**
   * Start-up recovery: jobs a crash left running are resumed, each once. The interrupted attempt stays counted
   * (the job may be what crashed the node, e.g. out of memory on a huge study): a job interrupted on its last
   * attempt goes to the dead letter instead of looping forever; the others are queued to run at once, no backoff.
   */
  recoverInterrupted(): { resumed: StoredJob[]; dead: StoredJob[] } {
    const { jobs, transactor } = this.options;
    return transactor.run(() => {
      const resumed: StoredJob[] = [];
      const dead: StoredJob[] = [];
      const now = this.now();
      for (const job of jobs.listByState('running')) {
        if (this.claimed.has(job.id)) continue;
        if (job.attempts >= job.maxAttempts) {
          const gone = this.deadLetter(job, `interrupted by a restart on its last attempt (${job.attempts} of ${job.maxAttempts})`);
          if (gone) dead.push(gone);
          continue;
        }
        const again = jobs.requeue(job.id, { nextRunAt: now, lastError: 'interrupted by a restart', now });
        if (again) resumed.push(again);
      }
      if (resumed.length + dead.length > 0) this.logger.warn('recovered interrupted jobs', { resumed: resumed.length, dead: dead.length });
      return { resumed, dead };
    });
  }

  metrics(): QueueMetrics {
    const zero = (): Record<JobState, number> => Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    const byState = zero();
    const byKind = Object.fromEntries(JOB_KINDS.map((k) => [k, zero()])) as Record<JobKind, Record<JobState, number>>;
    for (const { kind, state, count } of this.options.jobs.countByKindAndState()) {
      byState[state] += count;
      byKind[kind][state] += count;
    }
    return { depth: byState.queued, ready: this.options.jobs.countReady(this.now()), byState, byKind };
  }

  private deadLetter(job: StoredJob, reason: string): StoredJob | null {
    const { jobs, studies, transactor } = this.options;
    return transactor.run(() => {
      const dead = jobs.markDead(job.id, { lastError: reason, now: this.now() });
      if (dead) {
        studies.setStatus({ studyInstanceUid: job.studyInstanceUid, revision: job.revision, status: 'failed', reason: `${job.kind} failed: ${reason}` });
        this.logger.error('job dead-lettered', { jobId: job.id, kind: job.kind, studyInstanceUid: job.studyInstanceUid, attempts: job.attempts, reason });
      }
      return dead;
    });
  }
}

export type JobHandler = (job: StoredJob) => Promise<void>;

export interface JobRunnerOptions {
  queue: JobQueue;
  /** One handler per kind; kinds without a handler are left in the queue. */
  handlers: Partial<Record<JobKind, JobHandler>>;
  /** Jobs run at once (config queue.concurrency). */
  concurrency: number;
  /** How often to look for due jobs (backoff expiries, other writers); a finished job looks again at once. */
  pollIntervalMs?: number;
  logger?: Logger;
}

/** Claims due jobs up to `concurrency` and runs their handler; a throw is a failed attempt (see JobQueue.fail). */
export class JobRunner {
  private readonly kinds: JobKind[];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(private readonly options: JobRunnerOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError('concurrency must be an integer >= 1');
    this.kinds = JOB_KINDS.filter((k) => options.handlers[k] !== undefined);
    this.logger = options.logger ?? silentLogger;
  }

  /** Handlers running now. */
  get active(): number {
    return this.inFlight.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs ?? 1000);
    this.timer.unref();
    this.wake();
  }

  /** Claims as many due jobs as there are free slots (call after enqueueing to skip the poll delay). */
  wake(): void {
    while (this.running && this.inFlight.size < this.options.concurrency) {
      let job: StoredJob | null;
      try {
        job = this.options.queue.claim(this.kinds);
      } catch (err) {
        this.logger.error('could not claim a job', { error: errorText(err) });
        return;
      }
      if (!job) return;
      const run: Promise<void> = this.execute(job).finally(() => {
        this.inFlight.delete(run);
        this.wake();
      });
      this.inFlight.add(run);
    }
  }

  /** Stops claiming and waits for the running handlers to finish (their outcome is still recorded). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async execute(job: StoredJob): Promise<void> {
    const handler = this.options.handlers[job.kind] as JobHandler;
    let failure: { error: unknown } | null = null;
    try {
      await handler(job);
    } catch (error) {
      failure = { error };
    }
    try {
      if (failure) this.options.queue.fail(job, failure.error);
      else this.options.queue.complete(job);
    } catch (err) {
      // The store itself failed (disk full, closed): the job stays running and start-up recovery resumes it.
      this.logger.error('could not record a job outcome', { jobId: job.id, error: errorText(err) });
    }
  }
}
