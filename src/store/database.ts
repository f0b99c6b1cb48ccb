/**
 * The node's SQLite database: one file next to the spool, opened with the pragmas a long-running single-writer
 * service wants, and migrated forward by `PRAGMA user_version` (one entry in MIGRATIONS per version, never edited
 * once released: add a new entry instead).
 *
 * Times are stored as INTEGER milliseconds since the epoch (UTC) so quiet-period and backoff comparisons are plain
 * integer comparisons in SQL.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'fs';
import { dirname } from 'path';

export type SqliteDatabase = Database.Database;

const MIGRATIONS: readonly string[] = [
  // 1: initial schema (#5).
  `
  CREATE TABLE studies (
    study_uid          TEXT PRIMARY KEY,
    status             TEXT NOT NULL,
    source             TEXT NOT NULL,
    calling_aet        TEXT,
    source_url         TEXT,
    instance_count     INTEGER NOT NULL DEFAULT 0,
    first_received_at  INTEGER NOT NULL,
    last_received_at   INTEGER NOT NULL,
    reason             TEXT,
    revision           INTEGER NOT NULL DEFAULT 1,
    analysed_revision  INTEGER,
    priority           TEXT,
    cancer_probability REAL,
    stage              TEXT,
    analysis_json      TEXT,
    analysed_at        INTEGER,
    modalities         TEXT NOT NULL DEFAULT '[]'
  );
  CREATE INDEX studies_status_last ON studies (status, last_received_at);

  CREATE TABLE instances (
    sop_uid            TEXT PRIMARY KEY,
    study_uid          TEXT NOT NULL REFERENCES studies (study_uid) ON DELETE CASCADE,
    series_uid         TEXT NOT NULL,
    sop_class_uid      TEXT NOT NULL,
    transfer_syntax_uid TEXT NOT NULL,
    modality           TEXT NOT NULL,
    body_part          TEXT NOT NULL,
    study_description  TEXT NOT NULL,
    series_description TEXT NOT NULL,
    path               TEXT NOT NULL,
    size_bytes         INTEGER NOT NULL,
    received_at        INTEGER NOT NULL
  );
  CREATE INDEX instances_study ON instances (study_uid, series_uid);

  CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL CHECK (kind IN ('analyze', 'export')),
    study_uid     TEXT NOT NULL REFERENCES studies (study_uid) ON DELETE CASCADE,
    revision      INTEGER NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    next_run_at   INTEGER NOT NULL,
    last_error    TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
  );
  CREATE INDEX jobs_ready ON jobs (state, next_run_at, id);
  CREATE INDEX jobs_study ON jobs (study_uid, id);
  -- At most one live job of a kind per study revision: the assembler's enqueue is idempotent by construction.
  CREATE UNIQUE INDEX jobs_live ON jobs (study_uid, kind, revision) WHERE state IN ('queued', 'running');

  CREATE TABLE results (
    sop_uid       TEXT PRIMARY KEY,
    study_uid     TEXT NOT NULL REFERENCES studies (study_uid) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('SR', 'SEG', 'SC')),
    sop_class_uid TEXT NOT NULL,
    series_uid    TEXT NOT NULL,
    path          TEXT NOT NULL
  );
  CREATE INDEX results_study ON results (study_uid);

  CREATE TABLE kv (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
];

/** The schema version this code writes (tests and diagnostics). */
export const SCHEMA_VERSION = MIGRATIONS.length;

export interface OpenDatabaseOptions {
  /** How long a writer waits for another connection's lock before SQLITE_BUSY (default 5000 ms). */
  busyTimeoutMs?: number;
}

/** Opens (creating if needed) and migrates the database at `path` (":memory:" for a throwaway one). */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    // WAL: readers (API) never block the writer (ingest); NORMAL is durable across process crashes in WAL mode and
    // loses at most the last transactions on power loss, which a resend from the PACS repairs (sqlite.org/wal.html).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrate(db: SqliteDatabase): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this software (${MIGRATIONS.length}): refusing to open`);
  }
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    // Each step and its version bump commit together, so an interrupted migration is retried from its start.
    db.transaction(() => {
      db.exec(MIGRATIONS[version - 1]);
      db.pragma(`user_version = ${version}`);
    }).immediate();
  }
}

/** Runs `fn` in one write transaction across repositories (BEGIN IMMEDIATE: takes the write lock up front). */
export interface Transactor {
  run<T>(fn: () => T): T;
}

export function sqliteTransactor(db: SqliteDatabase): Transactor {
  return { run: <T>(fn: () => T): T => db.transaction(fn).immediate() };
}

/** INTEGER milliseconds ↔ Date. */
export const toMs = (date: Date): number => date.getTime();
export const fromMs = (ms: number): Date => new Date(ms);
export const fromMsOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
