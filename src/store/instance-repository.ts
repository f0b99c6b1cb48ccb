/** The index of spooled instances: one row per SOP Instance UID (a resent instance replaces its row). */
import { ReceivedInstance } from '../domain/instance';
import { fromMs, SqliteDatabase, toMs } from './database';

/** An indexed instance (the ingest path's source fields live on the study). */
export type StoredInstance = Omit<ReceivedInstance, 'source' | 'callingAet' | 'sourceUrl'>;

export interface InstanceRepository {
  get(sopInstanceUid: string): StoredInstance | null;
  upsert(instance: ReceivedInstance): void;
  /** A study's instances ordered by series then SOP Instance UID (stable analysis order). */
  listByStudy(studyInstanceUid: string): StoredInstance[];
  countByStudy(studyInstanceUid: string): number;
  /** Distinct modalities of a study, sorted. */
  modalitiesOfStudy(studyInstanceUid: string): string[];
}

interface InstanceRow {
  sop_uid: string;
  study_uid: string;
  series_uid: string;
  sop_class_uid: string;
  transfer_syntax_uid: string;
  modality: string;
  body_part: string;
  study_description: string;
  series_description: string;
  path: string;
  size_bytes: number;
  received_at: number;
}

function instanceFromRow(row: InstanceRow): StoredInstance {
  return {
    studyInstanceUid: row.study_uid,
    seriesInstanceUid: row.series_uid,
    sopInstanceUid: row.sop_uid,
    sopClassUid: row.sop_class_uid,
    transferSyntaxUid: row.transfer_syntax_uid,
    modality: row.modality,
    bodyPartExamined: row.body_part,
    studyDescription: row.study_description,
    seriesDescription: row.series_description,
    path: row.path,
    sizeBytes: row.size_bytes,
    receivedAt: fromMs(row.received_at),
  };
}

export class SqliteInstanceRepository implements InstanceRepository {
  constructor(private readonly db: SqliteDatabase) {}

  get(sopInstanceUid: string): StoredInstance | null {
    const row = this.db.prepare('SELECT * FROM instances WHERE sop_uid = ?').get(sopInstanceUid) as InstanceRow | undefined;
    return row ? instanceFromRow(row) : null;
  }

  upsert(i: ReceivedInstance): void {
    this.db
      .prepare(
        `INSERT INTO instances (sop_uid, study_uid, series_uid, sop_class_uid, transfer_syntax_uid, modality, body_part,
           study_description, series_description, path, size_bytes, received_at)
         VALUES (@sop, @study, @series, @sopClass, @ts, @modality, @bodyPart, @studyDesc, @seriesDesc, @path, @size, @at)
         ON CONFLICT (sop_uid) DO UPDATE SET study_uid = excluded.study_uid, series_uid = excluded.series_uid,
           sop_class_uid = excluded.sop_class_uid, transfer_syntax_uid = excluded.transfer_syntax_uid,
           modality = excluded.modality, body_part = excluded.body_part, study_description = excluded.study_description,
           series_description = excluded.series_description, path = excluded.path, size_bytes = excluded.size_bytes,
           received_at = excluded.received_at`,
      )
      .run({
        sop: i.sopInstanceUid,
        study: i.studyInstanceUid,
        series: i.seriesInstanceUid,
        sopClass: i.sopClassUid,
        ts: i.transferSyntaxUid,
        modality: i.modality,
        bodyPart: i.bodyPartExamined,
        studyDesc: i.studyDescription,
        seriesDesc: i.seriesDescription,
        path: i.path,
        size: i.sizeBytes,
        at: toMs(i.receivedAt),
      });
  }

  listByStudy(studyInstanceUid: string): StoredInstance[] {
    const rows = this.db.prepare('SELECT * FROM instances WHERE study_uid = ? ORDER BY series_uid, sop_uid').all(studyInstanceUid) as InstanceRow[];
    return rows.map(instanceFromRow);
  }

  countByStudy(studyInstanceUid: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM instances WHERE study_uid = ?').get(studyInstanceUid) as { n: number }).n;
  }

  modalitiesOfStudy(studyInstanceUid: string): string[] {
    const rows = this.db.prepare('SELECT DISTINCT modality FROM instances WHERE study_uid = ? ORDER BY modality').all(studyInstanceUid) as Array<{ modality: string }>;
    return rows.map((r) => r.modality).filter((m) => m !== '');
  }
}
