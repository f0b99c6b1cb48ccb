/**
 * Studies as the node tracks them. Status writes from the pipeline name the revision they act on and are ignored
 * when newer instances have since re-opened the study (revision bumped), so a slow job can never mark a newer
 * revision done or failed.
 */
import { Priority, Stage, StudyAnalysis } from '../domain/analysis';
import { IngestSource } from '../domain/instance';
import { StudyRecord, StudyStatus } from '../domain/study';
import { fromMs, fromMsOrNull, SqliteDatabase, toMs } from './database';

/** A study with what the last analysis concluded (null until one is recorded). */
export interface StoredStudy extends StudyRecord {
  modalities: string[];
  analysedRevision: number | null;
  priority: Priority | null;
  cancerProbability: number | null;
  stage: Stage | null;
  analysedAt: Date | null;
}

export interface NewStudy {
  studyInstanceUid: string;
  source: IngestSource;
  callingAet: string | null;
  sourceUrl: string | null;
  receivedAt: Date;
}

/** What one arrival changes (the ingest store decides status and revision). */
export interface StudyArrival {
  studyInstanceUid: string;
  source: IngestSource;
  callingAet: string | null;
  sourceUrl: string | null;
  receivedAt: Date;
  instanceCount: number;
  modalities: string[];
  status: StudyStatus;
  revision: number;
}

export interface StatusUpdate {
  studyInstanceUid: string;
  /** The revision the caller worked on: the update applies only while the study is still at it. */
  revision: number;
  status: StudyStatus;
  reason?: string | null;
}

export interface AnalysisRecord {
  studyInstanceUid: string;
  revision: number;
  analysis: StudyAnalysis;
  analysedAt: Date;
}

export interface StudyRepository {
  get(studyInstanceUid: string): StoredStudy | null;
  create(study: NewStudy): void;
  recordArrival(arrival: StudyArrival): void;
  /** Sets the instance count and modalities only (an instance moved to another study). */
  setContents(contents: { studyInstanceUid: string; instanceCount: number; modalities: string[] }): void;
  /** Receiving studies whose last instance arrived at or before `cutoff` (oldest first). */
  listQuiet(cutoff: Date): StoredStudy[];
  listByStatus(status: StudyStatus): StoredStudy[];
  /** False when the study is missing or no longer at `revision`. */
  setStatus(update: StatusUpdate): boolean;
  /** Stores the analysis of `revision` (priority, probability, stage, JSON); false when superseded. */
  recordAnalysis(record: AnalysisRecord): boolean;
  /** The stored analysis JSON, parsed. */
  analysis(studyInstanceUid: string): StudyAnalysis | null;
  countByStatus(): Record<StudyStatus, number>;
}

export interface StudyRow {
  study_uid: string;
  status: StudyStatus;
  source: IngestSource;
  calling_aet: string | null;
  source_url: string | null;
  instance_count: number;
  first_received_at: number;
  last_received_at: number;
  reason: string | null;
  revision: number;
  analysed_revision: number | null;
  priority: Priority | null;
  cancer_probability: number | null;
  stage: Stage | null;
  analysed_at: number | null;
  modalities: string;
}

export const STUDY_COLUMNS = `study_uid, status, source, calling_aet, source_url, instance_count, first_received_at, last_received_at,
  reason, revision, analysed_revision, priority, cancer_probability, stage, analysed_at, modalities`;

export const STUDY_STATUSES: readonly StudyStatus[] = ['receiving', 'queued', 'analysing', 'exporting', 'done', 'skipped', 'failed'];

export function studyFromRow(row: StudyRow): StoredStudy {
  return {
    studyInstanceUid: row.study_uid,
    status: row.status,
    source: row.source,
    callingAet: row.calling_aet,
    sourceUrl: row.source_url,
    instanceCount: row.instance_count,
    firstReceivedAt: fromMs(row.first_received_at),
    lastReceivedAt: fromMs(row.last_received_at),
    reason: row.reason,
    revision: row.revision,
    modalities: JSON.parse(row.modalities) as string[],
    analysedRevision: row.analysed_revision,
    priority: row.priority,
    cancerProbability: row.cancer_probability,
    stage: row.stage,
    analysedAt: fromMsOrNull(row.analysed_at),
  };
}

export class SqliteStudyRepository implements StudyRepository {
  constructor(private readonly db: SqliteDatabase) {}

  get(studyInstanceUid: string): StoredStudy | null {
    const row = this.db.prepare(`SELECT ${STUDY_COLUMNS} FROM studies WHERE study_uid = ?`).get(studyInstanceUid) as StudyRow | undefined;
    return row ? studyFromRow(row) : null;
  }

  create(study: NewStudy): void {
    this.db
      .prepare(
        `INSERT INTO studies (study_uid, status, source, calling_aet, source_url, instance_count, first_received_at,
           last_received_at, revision)
         VALUES (?, 'receiving', ?, ?, ?, 0, ?, ?, 1)`,
      )
      .run(study.studyInstanceUid, study.source, study.callingAet, study.sourceUrl, toMs(study.receivedAt), toMs(study.receivedAt));
  }

  recordArrival(a: StudyArrival): void {
    // MAX: an instance stamped earlier (e.g. a slow DICOMweb fetch) must not shorten the quiet period.
    this.db
      .prepare(
        `UPDATE studies SET source = ?, calling_aet = ?, source_url = ?, instance_count = ?, modalities = ?,
           last_received_at = MAX(last_received_at, ?), status = ?, revision = ?,
           reason = CASE WHEN ? = 'receiving' THEN NULL ELSE reason END
         WHERE study_uid = ?`,
      )
      .run(a.source, a.callingAet, a.sourceUrl, a.instanceCount, JSON.stringify(a.modalities), toMs(a.receivedAt), a.status, a.revision, a.status, a.studyInstanceUid);
  }

  setContents(c: { studyInstanceUid: string; instanceCount: number; modalities: string[] }): void {
    this.db
      .prepare('UPDATE studies SET instance_count = ?, modalities = ? WHERE study_uid = ?')
      .run(c.instanceCount, JSON.stringify(c.modalities), c.studyInstanceUid);
  }

  listQuiet(cutoff: Date): StoredStudy[] {
    const rows = this.db
      .prepare(`SELECT ${STUDY_COLUMNS} FROM studies WHERE status = 'receiving' AND last_received_at <= ? ORDER BY last_received_at, study_uid`)
      .all(toMs(cutoff)) as StudyRow[];
    return rows.map(studyFromRow);
  }

  listByStatus(status: StudyStatus): StoredStudy[] {
    const rows = this.db.prepare(`SELECT ${STUDY_COLUMNS} FROM studies WHERE status = ? ORDER BY first_received_at, study_uid`).all(status) as StudyRow[];
    return rows.map(studyFromRow);
  }

  setStatus(update: StatusUpdate): boolean {
    const info = this.db
      .prepare('UPDATE studies SET status = ?, reason = ? WHERE study_uid = ? AND revision = ?')
      .run(update.status, update.reason ?? null, update.studyInstanceUid, update.revision);
    return info.changes === 1;
  }

  recordAnalysis(record: AnalysisRecord): boolean {
    const { analysis } = record;
    const info = this.db
      .prepare(
        `UPDATE studies SET analysed_revision = ?, priority = ?, cancer_probability = ?, stage = ?, analysis_json = ?,
           analysed_at = ?
         WHERE study_uid = ? AND revision = ?`,
      )
      .run(
        record.revision,
        analysis.priority,
        analysis.cancerProbability,
        analysis.stage.estimate,
        JSON.stringify(analysis),
        toMs(record.analysedAt),
        record.studyInstanceUid,
        record.revision,
      );
    return info.changes === 1;
  }

  analysis(studyInstanceUid: string): StudyAnalysis | null {
    const row = this.db.prepare('SELECT analysis_json FROM studies WHERE study_uid = ?').get(studyInstanceUid) as
      | { analysis_json: string | null }
      | undefined;
    return row?.analysis_json ? (JSON.parse(row.analysis_json) as StudyAnalysis) : null;
  }

  countByStatus(): Record<StudyStatus, number> {
    const counts = Object.fromEntries(STUDY_STATUSES.map((s) => [s, 0])) as Record<StudyStatus, number>;
    const rows = this.db.prepare('SELECT status, COUNT(*) AS n FROM studies GROUP BY status').all() as Array<{ status: StudyStatus; n: number }>;
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }
}
