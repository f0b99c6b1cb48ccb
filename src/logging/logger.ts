/**
 * JSON-lines logger. Callers pass UIDs, counts and reasons only: never patient names, IDs or birth dates
 * (the field names below are refused as a guard against accidents). Secrets are masked (src/security/redact.ts).
 */
import { redactSecrets, redactText } from '../security/redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const FORBIDDEN = new Set(['PatientName', 'PatientID', 'PatientBirthDate', 'patientName', 'patientId', 'patientBirthDate']);

export type LogFields = Record<string, string | number | boolean | null | undefined | string[]>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(component: string): Logger;
}

export function createLogger(options: { level?: LogLevel; component?: string; write?: (line: string) => void } = {}): Logger {
  const level = options.level ?? 'info';
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (at: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (ORDER[at] < ORDER[level]) return;
    // Secrets never reach a log line: secret-named fields are masked, URL passwords cut from every text.
    const clean: LogFields = redactSecrets(Object.fromEntries(Object.entries(fields).filter(([k]) => !FORBIDDEN.has(k))));
    write(JSON.stringify({ time: new Date().toISOString(), level: at, component: options.component, msg: redactText(msg), ...clean }));
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (component) => createLogger({ ...options, component: options.component ? `${options.component}.${component}` : component }),
  };
}

/** A logger that drops everything (library defaults and quiet tests). */
export const silentLogger: Logger = createLogger({ write: () => undefined });
