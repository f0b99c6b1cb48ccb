/**
 * StudyAssembler: decides when a study has finished arriving. DICOM has no "end of study" message, so a study is
 * ready after `quietSeconds` without a new instance (a sliding timeout, as in MONAI Deploy's payload assembler).
 * The clock runs on the persisted last_received_at, not on in-memory timers, so a restart loses no study and needs
 * no catching up: the first tick after start finds everything that went quiet while the node was down.
 */
import { Logger, silentLogger } from '../logging/logger';
import { Transactor } from '../store/database';
import { StudyRepository } from '../store/study-repository';
import { JobQueue } from './queue';

/** A study revision handed to the queue. */
export interface StudyReady {
  studyInstanceUid: string;
  revision: number;
  jobId: number;
}

export interface StudyAssemblerOptions {
  studies: StudyRepository;
  queue: JobQueue;
  transactor: Transactor;
  /** Config assembler.quietSeconds. */
  quietSeconds: number;
  now?: () => Date;
  logger?: Logger;
  /** Called after a tick that queued studies (e.g. to wake the job runner). */
  onReady?: (ready: StudyReady[]) => void;
}

export class StudyAssembler {
  private readonly now: () => Date;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: StudyAssemblerOptions) {
    if (!(options.quietSeconds >= 0)) throw new RangeError('quietSeconds must be >= 0');
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * Queues one analyze job per quiet study revision and marks the study queued. Idempotent: a study revision that
   * already has a live analyze job gets no second one (the jobs_live unique index guarantees it).
   */
  tick(now: Date = this.now()): StudyReady[] {
    const { studies, queue, transactor } = this.options;
    const cutoff = new Date(now.getTime() - this.options.quietSeconds * 1000);
    const ready: StudyReady[] = [];
    for (const candidate of studies.listQuiet(cutoff)) {
      const queued = transactor.run(() => {
        // Re-read inside the write transaction: an instance may have re-opened the study since the list was read.
        const study = studies.get(candidate.studyInstanceUid);
        if (!study || study.status !== 'receiving' || study.lastReceivedAt.getTime() > cutoff.getTime()) return null;
        const { job } = queue.enqueue({ kind: 'analyze', studyInstanceUid: study.studyInstanceUid, revision: study.revision });
        studies.setStatus({ studyInstanceUid: study.studyInstanceUid, revision: study.revision, status: 'queued' });
        return { studyInstanceUid: study.studyInstanceUid, revision: study.revision, jobId: job.id, instances: study.instanceCount };
      });
      if (!queued) continue;
      const { instances, ...entry } = queued;
      this.logger.info('study ready', { ...entry, instances });
      ready.push(entry);
    }
    if (ready.length > 0) this.options.onReady?.(ready);
    return ready;
  }

  /** Ticks every `intervalMs` (first tick at once, which also picks up what went quiet while the node was down). */
  start(intervalMs: number): void {
    if (this.timer) return;
    const tick = (): void => {
      try {
        this.tick();
      } catch (err) {
        this.logger.error('assembler tick failed', { error: err instanceof Error ? err.message : String(err) });
      }
    };
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
    tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
