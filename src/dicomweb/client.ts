/**
 * dicomweb-client set up for Node: it speaks through XMLHttpRequest, which Node lacks, so xhr2 provides it.
 * Shared by the poller (QIDO/WADO), the STOW-RS exporter and the tests. For https with a hospital CA, each request
 * gets its own XMLHttpRequest whose https.Agent trusts that CA (xhr2's nodejsSet) and keeps the socket error that
 * xhr2 itself drops (it reports only status 0).
 */
import { Agent as HttpsAgent, type AgentOptions } from 'https';
import type { Duplex } from 'stream';
import { api } from 'dicomweb-client';
import { BCP195_CIPHERS, TLS_MIN_VERSION } from '../security/tls';

export type DicomWebAuth = { type: 'none' } | { type: 'basic'; username: string; password: string } | { type: 'bearer'; token: string };

let polyfilled = false;
function ensureXhr(): void {
  if (polyfilled || typeof (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest !== 'undefined') return;
  (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest = require('xhr2');
  polyfilled = true;
}

export function authHeaders(auth: DicomWebAuth): Record<string, string> {
  switch (auth.type) {
    case 'none':
      return {};
    case 'basic':
      return { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
    case 'bearer':
      return { Authorization: `Bearer ${auth.token}` };
  }
}

/** https request options: the CA bundle (PEM) that replaces Node's public CAs, and BCP 195's floor. */
export function httpsOptions(ca: Buffer | undefined): { ca?: Buffer; minVersion: 'TLSv1.2'; ciphers: string } {
  return { ...(ca ? { ca } : {}), minVersion: TLS_MIN_VERSION, ciphers: BCP195_CIPHERS };
}

/** An https.Agent that remembers the first socket error (certificate not trusted, refused…) of its connections. */
class RecordingAgent extends HttpsAgent {
  failure: (Error & { code?: string }) | undefined;
  constructor(options: AgentOptions) {
    super(options);
  }
  override createConnection(...args: Parameters<HttpsAgent['createConnection']>): Duplex {
    const socket = super.createConnection(...args) as Duplex;
    socket.once('error', (err: Error) => (this.failure ??= err));
    return socket;
  }
}

/** One XMLHttpRequest (xhr2) for dicomweb-client's `request.instance`, and what its socket failed with, if it did. */
export interface XhrRequest {
  instance: unknown;
  failure(): (Error & { code?: string }) | undefined;
}

interface Xhr2Instance {
  timeout: number;
  nodejsSet(options: { httpsAgent: HttpsAgent }): void;
}

export function createXhrRequest(options: { timeoutMs: number; ca?: Buffer }): XhrRequest {
  ensureXhr();
  const Xhr = (globalThis as { XMLHttpRequest?: new () => Xhr2Instance }).XMLHttpRequest as new () => Xhr2Instance;
  const instance = new Xhr();
  instance.timeout = options.timeoutMs;
  // keepAlive off: the agent lives for this one request.
  const agent = new RecordingAgent({ ...httpsOptions(options.ca), keepAlive: false });
  if (typeof instance.nodejsSet === 'function') instance.nodejsSet({ httpsAgent: agent });
  return { instance, failure: () => agent.failure };
}

export function createDicomWebClient(url: string, auth: DicomWebAuth = { type: 'none' }): api.DICOMwebClient {
  ensureXhr();
  return new api.DICOMwebClient({ url, headers: authHeaders(auth), singlepart: false, verbose: false });
}

/** The value of one attribute in a DICOM JSON (PS3.18 F.2) object, by tag, e.g. '0020000D'. */
export function jsonValue(obj: Record<string, { Value?: unknown[] }>, tag: string): unknown[] {
  return obj[tag]?.Value ?? [];
}
