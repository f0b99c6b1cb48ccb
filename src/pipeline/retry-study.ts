/**
 * An operator's retry of a failed (dead-lettered) study: its export again when the failed revision's results were
 * recorded, else its analysis. The job gets a fresh set of attempts; the study shows queued until a worker claims it.
 */
import { JobKind } from '../domain/study';
import { StudyRepository } from '../store/study-repository';
import { JobQueue } from './queue';

export type RetryAnswer = { outcome: 'queued'; kind: JobKind } | { outcome: 'not-found' | 'not-failed' };

export function retryFailedStudy(
  studyInstanceUid: string,
  deps: { studies: StudyRepository; queue: JobQueue; exportMaxAttempts: number; hasResults: (studyInstanceUid: string) => boolean },
): RetryAnswer {
  const study = deps.studies.get(studyInstanceUid);
  if (!study) return { outcome: 'not-found' };
  if (study.status !== 'failed') return { outcome: 'not-failed' };
  const kind: JobKind = study.analysedRevision === study.revision && deps.hasResults(studyInstanceUid) ? 'export' : 'analyze';
  deps.queue.enqueue({ kind, studyInstanceUid, revision: study.revision, ...(kind === 'export' ? { maxAttempts: deps.exportMaxAttempts } : {}) });
  deps.studies.setStatus({ studyInstanceUid, revision: study.revision, status: 'queued', reason: null });
  return { outcome: 'queued', kind };
}
