/**
 * The node's events → the IHE ATNA audit trail (src/audit). DICOM Instances Transferred is reported once per study
 * and transfer, not per instance (PS3.15 A.5.3.7): instances are gathered per association (DIMSE: reported when it
 * closes) or per PACS (DICOMweb: reported once no instance of the study arrived for a few seconds).
 */
import * as fs from 'fs';
import type { AuthenticationEvent } from '../api/auth/middleware';
import type { AuditOutcome, AuditTrail, NetworkPeer } from '../audit';
import type { NodeConfig } from '../config/schema';
import { readPart10Header } from '../dicom/io';
import type { ReceivedInstance } from '../domain/instance';
import type { ResultObjectRecord, StudyRecord } from '../domain/study';
import type { ConnectionFacts, DimseEventHooks } from '../ingest/dimse/events';
import type { QueryRecord } from '../ingest/dicomweb/service';

/** A retrieval with no new instance of the study for this long is complete (DICOMweb has no association to end). */
const RETRIEVAL_QUIET_MS = 5000;
/** Backstop for DIMSE, whose transfers end with the association: an instance committed after the close. */
const ASSOCIATION_QUIET_MS = 60_000;
/**
 * A bearer token is checked on every request (the dashboard polls every few seconds): a success is audited once per
 * user and address in this window, as a log-in would be. Failures are always audited.
 */
const LOGIN_WINDOW_MS = 15 * 60_000;
/** Enough of a Part 10 file for its header in nearly every image; Patient ID comes long before Pixel Data. */
const HEADER_BYTES = 256 * 1024;

interface Transfer {
  peer: NetworkPeer;
  studyInstanceUid: string;
  /** One file of the transfer, for the Patient ID that ATNA requires. */
  sample: string;
  sopClasses: Map<string, number>;
  timer: NodeJS.Timeout | null;
}

export interface AuditBridge {
  /** Association accepted/refused, instances received, TLS refusals (DimseListenerOptions). */
  dimse: Required<Pick<DimseEventHooks, 'onAssociation' | 'onInstanceStored' | 'onAssociationClosed' | 'onTlsRefused'>>;
  /** Every committed instance (the sink); DIMSE instances are already counted by the hooks. */
  instanceAccepted(instance: ReceivedInstance): void;
  exported(study: StudyRecord, destination: string, results: readonly ResultObjectRecord[], outcome: AuditOutcome, description?: string): void;
  query(record: QueryRecord): void;
  apiAuthentication(event: AuthenticationEvent): void;
  /** Reports the transfers still gathering (at stop). */
  flush(): void;
}

/** The Patient ID of a Part 10 file ('' when it has none or cannot be read: the audit message must not fail). */
export function patientIdOf(file: string): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(HEADER_BYTES, fs.fstatSync(fd).size));
      fs.readSync(fd, buffer, 0, buffer.length, 0);
      const value = readPart10Header(buffer).dataset.PatientID;
      return typeof value === 'string' ? value.trim() : '';
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** The host of a URL, for the network access point ('' when it does not parse). */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** The audit peer of an export destination by its name; "source …" exporters go back to where the study came from. */
function destinationPeer(destinations: NodeConfig['export']['destinations'], name: string, study: StudyRecord): NetworkPeer {
  const d = destinations.find((x) => x.name === name);
  if (d?.type === 'cstore') return { aet: d.aet, host: d.host };
  if (d?.type === 'stow') return { host: hostOf(d.url), url: d.url, ...(d.aet ? { aet: d.aet } : {}) };
  if (study.sourceUrl) return { host: hostOf(study.sourceUrl), url: study.sourceUrl };
  return { ...(study.callingAet ? { aet: study.callingAet } : {}), host: name };
}

const connectionKey = (c: Pick<ConnectionFacts, 'remoteAddress' | 'remotePort'>): string => `dimse ${c.remoteAddress} ${c.remotePort}`;

export interface AuditBridgeOptions {
  /** export.destinations, to name the peer of an export. */
  destinations: NodeConfig['export']['destinations'];
  /** ingest.dicomweb.url: the PACS that answers the poller's queries. */
  dicomwebUrl: string;
  now?: () => number;
}

export function createAuditBridge(trail: AuditTrail, options: AuditBridgeOptions): AuditBridge {
  const now = options.now ?? Date.now;
  /** Gathering transfers: source key → study UID → transfer. */
  const open = new Map<string, Map<string, Transfer>>();
  /** user + address → when its success was last audited. */
  const logins = new Map<string, number>();

  const report = (source: string, transfer: Transfer): void => {
    if (transfer.timer) clearTimeout(transfer.timer);
    open.get(source)?.delete(transfer.studyInstanceUid);
    if (open.get(source)?.size === 0) open.delete(source);
    trail.record({
      type: 'instances-transferred',
      direction: 'received',
      outcome: 'success',
      peer: transfer.peer,
      studyInstanceUid: transfer.studyInstanceUid,
      patientId: patientIdOf(transfer.sample),
      sopClasses: [...transfer.sopClasses].map(([uid, count]) => ({ uid, count })),
    });
  };

  const reportSource = (source: string): void => {
    for (const transfer of [...(open.get(source)?.values() ?? [])]) report(source, transfer);
  };

  const gather = (source: string, peer: NetworkPeer, instance: ReceivedInstance, quietMs: number): void => {
    let studies = open.get(source);
    if (!studies) open.set(source, (studies = new Map()));
    let transfer = studies.get(instance.studyInstanceUid);
    if (!transfer) {
      transfer = { peer, studyInstanceUid: instance.studyInstanceUid, sample: instance.path, sopClasses: new Map(), timer: null };
      studies.set(instance.studyInstanceUid, transfer);
    }
    transfer.sopClasses.set(instance.sopClassUid, (transfer.sopClasses.get(instance.sopClassUid) ?? 0) + 1);
    const t = transfer;
    if (t.timer) clearTimeout(t.timer);
    t.timer = setTimeout(() => report(source, t), quietMs);
    t.timer.unref();
  };

  return {
    dimse: {
      onAssociation: (e) =>
        trail.record({
          type: 'association',
          accepted: e.outcome === 'accepted',
          calling: { aet: e.callingAet, host: e.remoteAddress },
          calledAet: e.calledAet,
          tls: e.transport === 'tls',
          description: e.outcome === 'accepted' ? `peer ${e.peerName ?? '(unregistered)'}` : `rejected: ${e.reason ?? 'unknown'}`,
        }),
      onInstanceStored: (e) => gather(connectionKey(e), { aet: e.callingAet, host: e.remoteAddress }, e.instance, ASSOCIATION_QUIET_MS),
      onAssociationClosed: (e) => reportSource(connectionKey(e)),
      onTlsRefused: (e) =>
        trail.record({
          type: 'security-alert',
          alert: 'node-authentication',
          outcome: 'minor-failure',
          subject: { kind: 'node', id: e.remoteAddress },
          description: `DICOM TLS handshake refused: ${e.reason}`,
          by: { userId: e.remoteAddress, host: e.remoteAddress },
        }),
    },
    instanceAccepted: (instance) => {
      if (instance.source !== 'dicomweb') return;
      const url = instance.sourceUrl ?? '';
      gather(`dicomweb ${url}`, { host: hostOf(url) || url, url }, instance, RETRIEVAL_QUIET_MS);
    },
    exported: (study, destination, results, outcome, description) => {
      const counts = new Map<string, number>();
      for (const r of results) counts.set(r.sopClassUid, (counts.get(r.sopClassUid) ?? 0) + 1);
      trail.record({
        type: 'instances-transferred',
        direction: 'exported',
        outcome,
        peer: destinationPeer(options.destinations, destination, study),
        studyInstanceUid: study.studyInstanceUid,
        patientId: results.length > 0 ? patientIdOf(results[0].path) : '',
        sopClasses: [...counts].map(([uid, count]) => ({ uid, count })),
        description,
      });
    },
    query: (q) =>
      trail.record({
        type: 'query',
        outcome: q.ok ? 'success' : 'minor-failure',
        responder: { host: hostOf(options.dicomwebUrl), url: options.dicomwebUrl },
        url: q.url,
        ...(q.error ? { description: q.error } : {}),
      }),
    apiAuthentication: (e) => {
      const userId = e.user ?? 'unknown';
      if (e.reason === 'forbidden') {
        trail.record({
          type: 'security-alert',
          alert: 'restricted-function',
          outcome: 'minor-failure',
          subject: { kind: 'uri', id: e.route },
          description: `${userId} lacks the role for ${e.route}`,
          by: { userId, host: e.remoteAddress },
        });
        return;
      }
      if (e.outcome === 'success') {
        const key = `${userId} ${e.remoteAddress}`;
        const last = logins.get(key);
        if (last !== undefined && now() - last < LOGIN_WINDOW_MS) return;
        logins.set(key, now());
      }
      trail.record({
        type: 'user-authentication',
        outcome: e.outcome === 'success' ? 'success' : 'minor-failure',
        userId,
        host: e.remoteAddress,
        ...(e.reason ? { description: `${e.reason} credential for ${e.route}` } : {}),
      });
    },
    flush: () => {
      for (const source of [...open.keys()]) reportSource(source);
    },
  };
}
