/** What the HTTP API reads: the composition root (src/node/node.ts) adapts the store, queue and services to this. */
import { StudyDetail, WorklistEntry } from '../domain/study';
import { Logger } from '../logging/logger';
import { MetricsRegistry } from '../metrics/registry';
import type { Authenticator } from './auth/authenticator';
import type { AuthenticationHook } from './auth/middleware';

/** One long-running component as it reports itself (MONAI Informatics Gateway style: {name, status}). */
export interface ComponentHealth {
  name: string;
  /** disabled: switched off in the config, so it does not count against overall health. */
  status: 'up' | 'down' | 'disabled';
  /** Why it is down (no patient data: UIDs, counts, reasons). */
  detail?: string;
}

/** Values or promises: a synchronous store (better-sqlite3) and an asynchronous one both fit. */
type MaybePromise<T> = T | Promise<T>;

export interface ApiDeps {
  health(): MaybePromise<ComponentHealth[]>;
  /**
   * The worklist in triage order, as the store sorts it: urgent, suspicious, routine, then studies without an
   * analysis; oldest first within a priority. The API passes it through unchanged.
   */
  worklist(): MaybePromise<WorklistEntry[]>;
  /** null when no study has this Study Instance UID. */
  studyDetail(studyInstanceUid: string): MaybePromise<StudyDetail | null>;
  metrics: MetricsRegistry;
  /**
   * Queues a failed (dead-lettered) study again: its export when its results exist, else its analysis. Absent: the
   * route answers 404. `not-failed`: only failed studies can be retried.
   */
  retryStudy?(studyInstanceUid: string): MaybePromise<{ outcome: 'queued'; kind: 'analyze' | 'export' } | { outcome: 'not-found' | 'not-failed' }>;
  /** Checks each request's bearer token (src/api/auth): every route but /health and the dashboard's page needs one. */
  auth: Authenticator;
  /** Host names (besides localhost, 127.0.0.1 and [::1]) that requests may name in Host (api.allowedHosts). */
  allowedHosts?: readonly string[];
  /** Called once per authenticated or refused request (the audit trail attaches here). */
  onAuthentication?: AuthenticationHook;
  /** Where request failures are logged (default: nowhere). */
  logger?: Logger;
}
