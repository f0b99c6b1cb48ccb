/** What the API shows: the triage worklist and one study's detail, read straight from the store. */
import { StudyDetail, WorklistEntry } from '../domain/study';
import { SqliteDatabase } from './database';
import { JobRepository } from './job-repository';
import { ResultRepository } from './result-repository';
import { StoredStudy, STUDY_COLUMNS, studyFromRow, StudyRepository, StudyRow } from './study-repository';

export interface StudyReadModels {
  /** Urgent, suspicious, routine, then not yet analysed; within each, the study that arrived first comes first. */
  worklist(options?: { limit?: number }): WorklistEntry[];
  studyDetail(studyInstanceUid: string): StudyDetail | null;
}

export function worklistEntry(study: StoredStudy): WorklistEntry {
  return {
    studyInstanceUid: study.studyInstanceUid,
    status: study.status,
    priority: study.priority,
    cancerProbability: study.cancerProbability,
    stage: study.stage,
    modalities: study.modalities,
    instanceCount: study.instanceCount,
    receivedAt: study.firstReceivedAt.toISOString(),
    analysedAt: study.analysedAt ? study.analysedAt.toISOString() : null,
    reason: study.reason,
  };
}

export interface SqliteReadModelOptions {
  db: SqliteDatabase;
  studies: StudyRepository;
  jobs: JobRepository;
  results: ResultRepository;
}

export class SqliteStudyReadModels implements StudyReadModels {
  constructor(private readonly options: SqliteReadModelOptions) {}

  worklist(options: { limit?: number } = {}): WorklistEntry[] {
    const limit = options.limit ?? -1; // SQLite: a negative LIMIT means no limit
    const rows = this.options.db
      .prepare(
        `SELECT ${STUDY_COLUMNS} FROM studies
         ORDER BY CASE priority WHEN 'urgent' THEN 0 WHEN 'suspicious' THEN 1 WHEN 'routine' THEN 2 ELSE 3 END,
                  first_received_at, study_uid
         LIMIT ?`,
      )
      .all(limit) as StudyRow[];
    return rows.map((row) => worklistEntry(studyFromRow(row)));
  }

  studyDetail(studyInstanceUid: string): StudyDetail | null {
    const { studies, jobs, results } = this.options;
    const study = studies.get(studyInstanceUid);
    if (!study) return null;
    const studyJobs = jobs.listByStudy(studyInstanceUid);
    // Exported: the results of the analysis on record went out (an export of an older revision does not count).
    const exported = studyJobs.some((j) => j.kind === 'export' && j.state === 'done' && j.revision === study.analysedRevision && j.lastError === null);
    return {
      ...worklistEntry(study),
      analysis: studies.analysis(studyInstanceUid),
      results: results.listByStudy(studyInstanceUid),
      jobs: studyJobs,
      exported,
    };
  }
}
