/** Builds every SQLite-backed store component on one connection (the composition root's one call). */
import { Logger } from '../logging/logger';
import { openDatabase, OpenDatabaseOptions, SqliteDatabase, sqliteTransactor, Transactor } from './database';
import { IngestStore } from './ingest-store';
import { InstanceRepository, SqliteInstanceRepository } from './instance-repository';
import { JobRepository, SqliteJobRepository } from './job-repository';
import { KeyValueStore, SqliteKeyValueStore } from './key-value-store';
import { SqliteStudyReadModels, StudyReadModels } from './read-models';
import { ResultRepository, SqliteResultRepository } from './result-repository';
import { SqliteStudyRepository, StudyRepository } from './study-repository';

export interface NodeStore {
  db: SqliteDatabase;
  transactor: Transactor;
  studies: StudyRepository;
  instances: InstanceRepository;
  jobs: JobRepository;
  results: ResultRepository;
  kv: KeyValueStore;
  readModels: StudyReadModels;
  ingest: IngestStore;
  close(): void;
}

export interface SqliteStoreOptions extends OpenDatabaseOptions {
  /** Database file (e.g. <dataDir>/node.sqlite), or ":memory:". */
  path: string;
  now?: () => Date;
  logger?: Logger;
}

export function createSqliteStore(options: SqliteStoreOptions): NodeStore {
  const db = openDatabase(options.path, options);
  const transactor = sqliteTransactor(db);
  const studies = new SqliteStudyRepository(db);
  const instances = new SqliteInstanceRepository(db);
  const jobs = new SqliteJobRepository(db);
  const results = new SqliteResultRepository(db);
  return {
    db,
    transactor,
    studies,
    instances,
    jobs,
    results,
    kv: new SqliteKeyValueStore(db),
    readModels: new SqliteStudyReadModels({ db, studies, jobs, results }),
    ingest: new IngestStore({ studies, instances, jobs, transactor, now: options.now, logger: options.logger }),
    close: () => db.close(),
  };
}
