/**
 * C-STORE SCU exporter (PS3.4 Annex B, PS3.7 9.1.1): one association per call, one presentation context per SOP class
 * of the files (SR, SEG, Secondary Capture… whatever they are) proposing Implicit and Explicit VR Little Endian plus
 * the file's own transfer syntax (dcmjs-dimse's CStoreRequest does so from the file's header), one outcome per file.
 * Files are read lazily by dcmjs-dimse, each when its turn to be sent comes. Plain TCP, or DICOM TLS (PS3.15 B.9) with
 * our client certificate when the target has `tls`.
 */
import type { Socket } from 'net';
import type * as tls from 'tls';
import { Client, constants, Implementation, log as dimseLog, requests } from 'dcmjs-dimse';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../dicom/uid';
import { describeTlsError } from '../security/tls';
import { ExportError, Exporter, InstanceOutcome, requireAllStored, StoreOutcome } from './types';

export interface CStoreTarget {
  /** Our AE title (calling AE). */
  callingAet: string;
  calledAet: string;
  host: string;
  port: number;
  /** TCP connect (default 10 s). */
  connectTimeoutMs?: number;
  /** A-ASSOCIATE request to answer (default 30 s). */
  associationTimeoutMs?: number;
  /** Longest silence while a DIMSE exchange is in progress (default 60 s). */
  pduTimeoutMs?: number;
  /** DICOM TLS (PS3.15 B.9): options from loadClientTls (our certificate, the trusted CAs, BCP 195); absent = plain TCP. */
  tls?: tls.ConnectionOptions;
}

/** C-STORE warning statuses (PS3.4 B.2.3, PS3.7 C.4.2): the instance was stored. */
const WARNING_STATUSES = new Set([0x0001, 0x0107, 0x0116, 0xb000, 0xb006, 0xb007]);

/** A-ASSOCIATE-RJ source/reason in words (PS3.8 Table 9-21). */
function rejectionText(reject: { result: number; source: number; reason: number }): string {
  const reasons: Record<number, Record<number, string>> = {
    1: { 1: 'no reason given', 2: 'application context name not supported', 3: 'calling AE title not recognized', 7: 'called AE title not recognized' },
    2: { 1: 'no reason given', 2: 'protocol version not supported' },
    3: { 1: 'temporary congestion', 2: 'local limit exceeded' },
  };
  const source = ({ 1: 'service user', 2: 'service provider (ACSE)', 3: 'service provider (presentation)' } as Record<number, string>)[reject.source] ?? `source ${reject.source}`;
  const reason = reasons[reject.source]?.[reject.reason] ?? `reason ${reject.reason}`;
  return `${reject.result === 2 ? 'transient' : 'permanent'} rejection by ${source}: ${reason}`;
}

/** Why the connection failed: refused, a TLS handshake failure in words, or dcmjs-dimse's message. */
function networkReason(wrapped: Error, socketError: (Error & { code?: string }) | undefined, overTls: boolean): string {
  if (/ECONNREFUSED/.test(wrapped.message)) return 'connection refused (ECONNREFUSED)';
  // dcmjs-dimse re-wraps the socket's error without its code; the socket's own error keeps it.
  if (overTls && socketError) return describeTlsError(socketError);
  return wrapped.message;
}

/** The parts of dcmjs-dimse's Network the typings do not expose: the socket (for TCP_NODELAY) and the abort event. */
interface NetworkInternals {
  socket: Socket | tls.TLSSocket;
  on(event: 'abort', listener: (abort: { source: number; reason: number }) => void): void;
}

/**
 * dcmjs-dimse hands tls.connect only key, cert, ca, requestCert, rejectUnauthorized, min/maxVersion and ciphers.
 * The rest (checkServerIdentity for verifyServerName: false, honorCipherOrder) is merged in by replacing tls.connect
 * for the one synchronous send() call that opens the socket, and restoring it right after.
 */
function withTlsConnectOptions<T>(extra: tls.ConnectionOptions, open: () => T): T {
  const tlsModule = require('tls') as { connect: (options: tls.ConnectionOptions) => tls.TLSSocket };
  const original = tlsModule.connect;
  tlsModule.connect = (options: tls.ConnectionOptions) => original({ ...options, ...extra });
  try {
    return open();
  } finally {
    tlsModule.connect = original;
  }
}

type SecurityOptions = NonNullable<NonNullable<Parameters<Client['send']>[4]>['securityOptions']>;

let libraryConfigured = false;
function configureLibrary(): void {
  if (libraryConfigured) return;
  dimseLog.setLevel('silent'); // it logs every PDU to the console; our outcome carries what matters
  Implementation.setImplementationClassUid(IMPLEMENTATION_CLASS_UID);
  Implementation.setImplementationVersion(IMPLEMENTATION_VERSION_NAME);
  libraryConfigured = true;
}

/** Stores Part 10 files by C-STORE; resolves with every file's outcome once the association closed. */
export function storeByCStore(target: CStoreTarget, files: string[]): Promise<StoreOutcome> {
  configureLibrary();
  const peer = `${target.calledAet}@${target.host}:${target.port}`;
  if (files.length === 0) return Promise.resolve({ destination: peer, instances: [] });

  const client = new Client();
  const outcomes = new Map<requests.CStoreRequest, InstanceOutcome>();
  for (const file of files) {
    let request: requests.CStoreRequest;
    try {
      request = new requests.CStoreRequest(file); // reads the header up to SOP Instance UID only
    } catch (err) {
      return Promise.reject(new ExportError(`${file} is not a readable DICOM file (${(err as Error).message})`));
    }
    const base = { file, sopClassUid: request.getAffectedSopClassUid(), sopInstanceUid: request.getAffectedSopInstanceUid() };
    outcomes.set(request, { ...base, status: 'failed', detail: 'no C-STORE response' });
    request.on('response', (response: { getStatus(): number; getErrorComment(): string }) => {
      const code = response.getStatus();
      const status = code === constants.Status.Success ? 'stored' : WARNING_STATUSES.has(code) ? 'warning' : 'failed';
      const comment = response.getErrorComment();
      outcomes.set(request, { ...base, status, ...(status === 'stored' ? {} : { code, ...(comment ? { detail: comment } : {}) }) });
    });
    client.addRequest(request);
  }

  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    let socketError: (Error & { code?: string }) | undefined;
    client.on('associationAccepted', (association: { getAcceptedPresentationContextFromRequest(r: requests.CStoreRequest): unknown }) => {
      // dcmjs-dimse skips, without a word, requests whose presentation context the peer rejected.
      for (const [request, outcome] of outcomes)
        if (!association.getAcceptedPresentationContextFromRequest(request))
          outcomes.set(request, { ...outcome, detail: `presentation context rejected (SOP class ${outcome.sopClassUid})` });
    });
    client.on('associationRejected', (rejection: { result: number; source: number; reason: number }) => {
      failure = `association rejected by ${peer}: ${rejectionText(rejection)}`;
    });
    client.on('networkError', (err: Error & { code?: string }) => {
      failure ??= `C-STORE to ${peer} failed: ${networkReason(err, socketError, target.tls !== undefined)}`;
    });
    client.on('closed', () => {
      const instances = [...outcomes.values()];
      if (failure) reject(new ExportError(failure, { destination: peer, instances }));
      else resolve({ destination: peer, instances });
    });
    const options = {
      connectTimeout: target.connectTimeoutMs ?? 10_000,
      associationTimeout: target.associationTimeoutMs ?? 30_000,
      pduTimeout: target.pduTimeoutMs ?? 60_000,
      // All of target.tls reaches tls.connect through withTlsConnectOptions; the typings list only some keys.
      ...(target.tls ? { securityOptions: target.tls as SecurityOptions } : {}),
    };
    const send = (): void => client.send(target.host, target.port, target.callingAet, target.calledAet, options);
    if (target.tls) withTlsConnectOptions(target.tls, send);
    else send();
    const network = (client as unknown as { network?: NetworkInternals }).network;
    network?.socket.setNoDelay(true); // small PDUs (commands, responses) must not wait for Nagle's algorithm
    network?.socket.prependListener('error', (err: Error) => (socketError ??= err));
    network?.on('abort', (abort) => {
      failure ??= `association aborted by ${peer} (source ${abort.source}, reason ${abort.reason})`;
      network.socket.end(); // dcmjs-dimse leaves the socket open after an A-ABORT
    });
  });
}

export function createCStoreExporter(options: CStoreTarget & { name: string }): Exporter {
  return {
    name: options.name,
    store: async (files) => {
      const outcome = await storeByCStore(options, files);
      return requireAllStored({ ...outcome, destination: options.name });
    },
  };
}
