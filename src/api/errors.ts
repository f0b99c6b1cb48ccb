/**
 * The one place HTTP status codes meet errors. Domain errors carry no HTTP codes (the design notes, after practica):
 * the table below maps them by class name, so src/domain needs no knowledge of HTTP and the API needs no import of
 * every module. The routes answer a malformed UID (400), an unknown study (404) and a retry of a study that has not
 * failed (409) themselves; a busy SQLite store is recognised by its error code below.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { Logger, silentLogger } from '../logging/logger';

/** Error class name → status. Add a domain error here when a route can meet it. */
export const STATUS_BY_ERROR_NAME: Readonly<Record<string, number>> = {
  // A study that cannot be analysed as given (src/analysis/study-input.ts).
  StudyInputError: 422,
};

/** better-sqlite3 raises SqliteError with these codes when another connection holds the database. */
const RETRYABLE_SQLITE_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

export interface ApiErrorBody {
  error: { code: string; message: string };
}

const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  421: 'misdirected-request',
  422: 'unprocessable',
  500: 'internal-error',
  503: 'unavailable',
};

export function sendError(res: Response, status: number, message: string): void {
  const body: ApiErrorBody = { error: { code: CODE_BY_STATUS[status] ?? `http-${status}`, message } };
  res.status(status).json(body);
}

/** The status for an error thrown by a route or a dependency. */
export function statusForError(err: unknown): number {
  if (!(err instanceof Error)) return 500;
  const byName = STATUS_BY_ERROR_NAME[err.name] ?? STATUS_BY_ERROR_NAME[err.constructor.name];
  if (byName !== undefined) return byName;
  const code = (err as { code?: unknown }).code;
  if (err.name === 'SqliteError' && typeof code === 'string' && RETRYABLE_SQLITE_CODES.has(code)) return 503;
  // Errors express itself raises (http-errors: malformed URL encoding, bad body) carry a client status.
  const status = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return status;
  return 500;
}

/** The last middleware: client errors say what was wrong; server errors are logged and say nothing internal. */
export function errorHandler(logger: Logger = silentLogger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const status = statusForError(err);
    const error = err instanceof Error ? err : new Error(String(err));
    if (status >= 500) {
      logger.error('request failed', { method: req.method, path: req.path, status, error: error.name, message: error.message });
      if (status === 503) res.set('Retry-After', '5');
      sendError(res, status, status === 503 ? 'temporarily unavailable, retry later' : 'internal error');
      return;
    }
    logger.warn('request rejected', { method: req.method, path: req.path, status, error: error.name });
    sendError(res, status, error.message);
  };
}

/** JSON 404 for every route nobody matched (express would otherwise answer with an HTML page). */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(res, 404, `no route for ${req.method} ${req.path}`);
};
