/** Small durable settings the services keep between runs (e.g. the DICOMweb poller's watermark and seen studies). */
import { SqliteDatabase } from './database';

export interface KeyValueStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  delete(key: string): void;
  /** JSON convenience: `fallback` when the key is absent. */
  getJson<T>(key: string, fallback: T): T;
  setJson(key: string, value: unknown): void;
}

export class SqliteKeyValueStore implements KeyValueStore {
  constructor(private readonly db: SqliteDatabase) {}

  get(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? row.value : null;
  }

  set(key: string, value: string): void {
    this.db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  delete(key: string): void {
    this.db.prepare('DELETE FROM kv WHERE key = ?').run(key);
  }

  getJson<T>(key: string, fallback: T): T {
    const text = this.get(key);
    return text === null ? fallback : (JSON.parse(text) as T);
  }

  setJson(key: string, value: unknown): void {
    this.set(key, JSON.stringify(value));
  }
}
