/**
 * The audit trail (issue 12 part D): record(event) builds the DICOM audit message, frames it as RFC 5424 syslog,
 * appends it to the spool and wakes the sender, which sends the spool in order and, while the repository is down,
 * retries with a backoff. Nothing here throws into the caller or waits on the network: auditing never blocks or
 * crashes the node. Disabled, it is a no-op.
 */
import { hostname } from 'os';
import * as path from 'path';
import type { Logger } from '../logging/logger';
import { loadClientTls } from '../security/tls';
import type { AuditEvent, AuditOutcome } from './events';
import { buildAuditMessage, type AuditSource } from './messages';
import { openAuditSpool, type AuditSpool } from './spool';
import { syslogMessage } from './syslog';
import { createTransport, type AuditTransport } from './transport';

export interface AuditConfig {
  enabled: boolean;
  transport: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
  tls: { certFile: string; keyFile: string; caFile: string } | null;
  enterpriseSiteId: string | null;
  /** AuditSourceID; null: the node's AE title. */
  sourceId: string | null;
  spoolMaxMessages: number;
}

export interface AuditTrail {
  record(event: AuditEvent): void;
  /** Resolves when the spool is empty or the repository cannot be reached now (never rejects). */
  flush(): Promise<void>;
  /** Flushes (within a few seconds) and closes the connection. */
  stop(): Promise<void>;
}

export interface AuditTrailDeps {
  dataDir: string;
  aet: string;
  logger: Logger;
  now?: () => Date;
  /** First retry delay after a failed send (doubles up to maxRetryMs). */
  retryMs?: number;
  maxRetryMs?: number;
}

export const noopAuditTrail: AuditTrail = { record: () => undefined, flush: async () => undefined, stop: async () => undefined };

function outcomeOf(event: AuditEvent): AuditOutcome {
  if (event.type === 'association') return event.accepted ? 'success' : 'minor-failure';
  return event.outcome ?? 'success';
}

/** Throws TlsConfigError at start for unusable TLS files (reported with the audit.tls.* key). */
export function createAuditTrail(config: AuditConfig, deps: AuditTrailDeps): AuditTrail {
  if (!config.enabled) return noopAuditTrail;
  const log = deps.logger.child('audit');
  const now = deps.now ?? (() => new Date());
  const tls = config.transport === 'tls' ? loadClientTls({ certFile: config.tls?.certFile ?? null, keyFile: config.tls?.keyFile ?? null, caFile: config.tls?.caFile ?? null }, 'audit.tls') : undefined;
  const transport: AuditTransport = createTransport({ transport: config.transport, host: config.host, port: config.port, tls });
  const spool: AuditSpool = openAuditSpool(path.join(deps.dataDir, 'audit-spool'), config.spoolMaxMessages);
  const host = hostname();
  const source: AuditSource = { sourceId: config.sourceId ?? deps.aet, enterpriseSiteId: config.enterpriseSiteId, aet: deps.aet, processId: String(process.pid), hostname: host };
  const retryMs = deps.retryMs ?? 2000;
  const maxRetryMs = deps.maxRetryMs ?? 60_000;

  let sending: Promise<void> | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let delay = retryMs;
  let down = false;
  let reportedDrops = 0;
  let stopped = false;

  /** Sends the spool head to tail; stops at the first failure and schedules a retry. */
  const drain = (): Promise<void> => {
    if (sending) return sending;
    sending = (async () => {
      for (let message = spool.peek(); message; message = spool.peek()) {
        try {
          await transport.send(message);
        } catch (err) {
          if (!down) log.warn('audit repository unreachable; spooling audit messages', { host: config.host, port: config.port, error: (err as Error).message, spooled: spool.size });
          down = true;
          if (!stopped && !retryTimer) {
            retryTimer = setTimeout(() => {
              retryTimer = null;
              void drain();
            }, delay);
            retryTimer.unref();
            delay = Math.min(delay * 2, maxRetryMs);
          }
          return;
        }
        // A full spool may have dropped the message while it was in flight; then the head is another one.
        if (spool.peek() === message) spool.shift();
        if (down) {
          down = false;
          delay = retryMs;
          log.info('audit repository reachable again; sending spooled audit messages', { host: config.host, port: config.port, spooled: spool.size });
        }
      }
    })().finally(() => {
      sending = null;
    });
    return sending;
  };

  return {
    record: (event) => {
      try {
        const at = now();
        const xml = buildAuditMessage(event, source, at);
        spool.append(syslogMessage(xml, { outcome: outcomeOf(event), at, hostname: host, appName: 'gastric-ai-node', procId: String(process.pid) }));
        if (spool.dropped > reportedDrops) {
          log.warn('audit spool full: oldest audit messages dropped', { dropped: spool.dropped - reportedDrops, droppedTotal: spool.dropped, max: config.spoolMaxMessages });
          reportedDrops = spool.dropped;
        }
        if (!retryTimer) void drain();
      } catch (err) {
        log.error('audit message not recorded', { event: event.type, error: (err as Error).message });
      }
    },
    flush: async () => {
      if (retryTimer) {
        clearTimeout(retryTimer);
        retryTimer = null;
      }
      await drain();
      await drain();
    },
    stop: async () => {
      await Promise.race([drain(), new Promise((r) => setTimeout(r, 3000).unref())]);
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      transport.close();
    },
  };
}
