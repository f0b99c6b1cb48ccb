/** The result objects (SR, SEG, SC) the node wrote for a study: replaced as a set when a study is re-analysed. */
import { ResultObjectRecord } from '../domain/study';
import { SqliteDatabase } from './database';

export interface ResultRepository {
  /** Replaces every result of the study with `results` (one transaction). */
  replaceForStudy(studyInstanceUid: string, results: readonly ResultObjectRecord[]): void;
  listByStudy(studyInstanceUid: string): ResultObjectRecord[];
}

interface ResultRow {
  kind: ResultObjectRecord['kind'];
  sop_class_uid: string;
  sop_uid: string;
  series_uid: string;
  path: string;
}

export class SqliteResultRepository implements ResultRepository {
  constructor(private readonly db: SqliteDatabase) {}

  replaceForStudy(studyInstanceUid: string, results: readonly ResultObjectRecord[]): void {
    const remove = this.db.prepare('DELETE FROM results WHERE study_uid = ?');
    // Result UIDs are deterministic (same study, model and kind → same SOP Instance UID): a re-analysis overwrites.
    const insert = this.db.prepare(
      `INSERT INTO results (sop_uid, study_uid, kind, sop_class_uid, series_uid, path) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (sop_uid) DO UPDATE SET study_uid = excluded.study_uid, kind = excluded.kind,
         sop_class_uid = excluded.sop_class_uid, series_uid = excluded.series_uid, path = excluded.path`,
    );
    this.db.transaction(() => {
      remove.run(studyInstanceUid);
      for (const r of results) insert.run(r.sopInstanceUid, studyInstanceUid, r.kind, r.sopClassUid, r.seriesInstanceUid, r.path);
    })();
  }

  listByStudy(studyInstanceUid: string): ResultObjectRecord[] {
    const rows = this.db
      .prepare(`SELECT kind, sop_class_uid, sop_uid, series_uid, path FROM results WHERE study_uid = ? ORDER BY kind, sop_uid`)
      .all(studyInstanceUid) as ResultRow[];
    return rows.map((r) => ({ kind: r.kind, sopClassUid: r.sop_class_uid, sopInstanceUid: r.sop_uid, seriesInstanceUid: r.series_uid, path: r.path }));
  }
}
