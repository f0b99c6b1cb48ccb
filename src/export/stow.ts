/**
 * STOW-RS exporter (PS3.18 10.5): POST {url}/studies with a multipart/related body of Part 10 instances, then one
 * outcome per instance from the response's ReferencedSOPSequence / FailedSOPSequence (PS3.18 Table 10.5.3-1).
 * Node's http/https rather than dicomweb-client: it gives us the HTTP status, the response body and the network
 * error's code (ECONNREFUSED, an untrusted certificate, a timeout), which the operator needs to see when the PACS is
 * down or refuses, and it takes the hospital CA that an https PACS certificate is signed with.
 */
import { randomBytes } from 'crypto';
import { readFile, stat } from 'fs/promises';
import { request as httpRequest, type IncomingMessage } from 'http';
import { request as httpsRequest } from 'https';
import * as dcmjs from 'dcmjs';
import { authHeaders, DicomWebAuth, httpsOptions } from '../dicomweb/client';
import { redactText } from '../security/redact';
import { describeTlsError } from '../security/tls';
import { ExportError, Exporter, InstanceOutcome, requireAllStored, StoreOutcome } from './types';

export interface StowTarget {
  /** DICOMweb base URL, e.g. http://pacs:8042/dicom-web */
  url: string;
  auth?: DicomWebAuth;
  /** Per request (default 120 s). */
  timeoutMs?: number;
  /** Requests carry at most this many bytes of instances (default 32 MiB); more instances go in further requests. */
  maxRequestBytes?: number;
  /** PEM CA bundle trusted for an https url (the destination's caFile); absent: Node's public CAs. */
  ca?: Buffer;
}

/** A Part 10 instance to send: its file (for the outcome) and bytes. */
export interface Part10Instance {
  file: string;
  bytes: Buffer;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_REQUEST_BYTES = 32 * 1024 * 1024;
const TAG = {
  referencedSopSequence: '00081199',
  failedSopSequence: '00081198',
  referencedSopClassUid: '00081150',
  referencedSopInstanceUid: '00081155',
  failureReason: '00081197',
  warningReason: '00081196',
} as const;

type DicomJson = Record<string, { Value?: unknown[] }>;

/** SOP Class and Instance UID from the file meta (PS3.10 7.1), without parsing the data set. */
function identity(instance: Part10Instance): { sopClassUid: string; sopInstanceUid: string } {
  const ab = instance.bytes.buffer.slice(instance.bytes.byteOffset, instance.bytes.byteOffset + instance.bytes.byteLength) as ArrayBuffer;
  let meta;
  try {
    meta = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(ab, { untilTag: '00080016', includeUntilTagValue: false }).meta);
  } catch (err) {
    throw new ExportError(`${instance.file} is not a DICOM Part 10 file (${(err as Error).message})`);
  }
  const sopClassUid = String(meta.MediaStorageSOPClassUID ?? '');
  const sopInstanceUid = String(meta.MediaStorageSOPInstanceUID ?? '');
  if (!sopClassUid || !sopInstanceUid) throw new ExportError(`${instance.file} has no Media Storage SOP Class/Instance UID in its file meta`);
  return { sopClassUid, sopInstanceUid };
}

function multipartBody(instances: readonly Part10Instance[]): { body: Buffer; contentType: string } {
  const boundary = `gastric-ai-${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const instance of instances) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), instance.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

/** Groups instances into requests of at most maxBytes (a larger instance goes alone). */
function batches<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    if (current.length > 0 && size + sizeOf(item) > maxBytes) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += sizeOf(item);
  }
  if (current.length > 0) out.push(current);
  return out;
}

class RequestTimeout extends Error {}

/** "ECONNREFUSED", "no answer within 120000 ms", a TLS failure in words…: the reason a request never got an answer. */
function networkReason(err: unknown, timeoutMs: number, overTls: boolean): string {
  const e = err as Error & { code?: string };
  if (e instanceof RequestTimeout) return `no answer within ${timeoutMs} ms`;
  if (overTls && e.code && /CERT|SSL|TLS|UNABLE_TO|SELF_SIGNED/.test(e.code)) return describeTlsError(e);
  return e.code ?? e.message;
}

interface HttpAnswer {
  status: number;
  statusText: string;
  text: string;
}

/** One POST; rejects when no complete answer came within timeoutMs (connect, TLS, upload and response together). */
function post(endpoint: URL, headers: Record<string, string>, body: Buffer, timeoutMs: number, ca: Buffer | undefined): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const secure = endpoint.protocol === 'https:';
    const options = { method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) }, ...(secure ? httpsOptions(ca) : {}) };
    const onResponse = (response: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    };
    const request = secure ? httpsRequest(endpoint, options, onResponse) : httpRequest(endpoint, options, onResponse);
    const timer = setTimeout(() => request.destroy(new RequestTimeout()), timeoutMs);
    request.on('error', reject);
    request.on('close', () => clearTimeout(timer));
    request.end(body);
  });
}

const uidsOf = (items: unknown[] | undefined): Map<string, DicomJson> =>
  new Map((items ?? []).map((item) => [String((item as DicomJson)[TAG.referencedSopInstanceUid]?.Value?.[0] ?? ''), item as DicomJson]));

/** Outcome per instance from a STOW-RS response body (empty when the body is not DICOM JSON). */
function outcomes(batch: readonly Part10Instance[], ids: ReadonlyArray<{ sopClassUid: string; sopInstanceUid: string }>, response: DicomJson | null, httpStatus: number): InstanceOutcome[] {
  const referenced = uidsOf(response?.[TAG.referencedSopSequence]?.Value);
  const failed = uidsOf(response?.[TAG.failedSopSequence]?.Value);
  return batch.map((instance, i) => {
    const id = ids[i];
    const base = { file: instance.file, ...id };
    const ref = referenced.get(id.sopInstanceUid);
    if (ref) {
      const warning = ref[TAG.warningReason]?.Value?.[0];
      return warning !== undefined ? { ...base, status: 'warning' as const, code: Number(warning), detail: 'stored with a warning' } : { ...base, status: 'stored' as const };
    }
    const failure = failed.get(id.sopInstanceUid)?.[TAG.failureReason]?.Value?.[0];
    if (failure !== undefined) return { ...base, status: 'failed' as const, code: Number(failure), detail: `refused (HTTP ${httpStatus})` };
    // An HTTP 200 without a body listing instances (some servers answer so) means all were stored (PS3.18 10.5.3).
    if (httpStatus === 200 && response === null) return { ...base, status: 'stored' as const };
    return { ...base, status: 'failed' as const, detail: `not in the STOW-RS response (HTTP ${httpStatus})` };
  });
}

async function postBatch(target: StowTarget, batch: Part10Instance[]): Promise<InstanceOutcome[]> {
  const ids = batch.map(identity);
  const { body, contentType } = multipartBody(batch);
  const timeoutMs = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const endpoint = `${target.url.replace(/\/+$/, '')}/studies`;
  // The url may carry user:password@ (sent as Basic auth by Node): messages name it with the password masked.
  const shown = redactText(endpoint);
  const headers = { ...authHeaders(target.auth ?? { type: 'none' }), 'Content-Type': contentType, Accept: 'application/dicom+json' };
  let response: HttpAnswer;
  try {
    response = await post(new URL(endpoint), headers, body, timeoutMs, target.ca);
  } catch (err) {
    throw new ExportError(`STOW-RS to ${shown} failed: ${networkReason(err, timeoutMs, endpoint.startsWith('https:'))}`);
  }
  const text = response.text;
  let json: DicomJson | null = null;
  try {
    json = text.trim() ? (JSON.parse(text) as DicomJson) : null;
  } catch {
    json = null;
  }
  // 200 all stored, 202 some failed or warned, 409 none stored: each lists instances; anything else is a refusal.
  if (![200, 202, 409].includes(response.status) || (response.status === 409 && json === null)) {
    // The body is not quoted: a PACS error page may echo patient data, and this message reaches logs and the API.
    throw new ExportError(`STOW-RS to ${shown} refused: HTTP ${response.status} ${response.statusText}${text ? ` (${text.length}-byte answer not shown)` : ''}`);
  }
  return outcomes(batch, ids, json, response.status);
}

/** Stores Part 10 files or buffers by STOW-RS; resolves with every instance's outcome, whatever it is. */
export async function storeByStow(target: StowTarget, instances: Array<string | Part10Instance>): Promise<StoreOutcome> {
  // Files are read one request at a time, so a large result set is never in memory at once.
  const sized = await Promise.all(instances.map(async (i) => ({ item: i, size: typeof i === 'string' ? (await stat(i)).size : i.bytes.length })));
  const results: InstanceOutcome[] = [];
  for (const batch of batches(sized, (s) => s.size, target.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES)) {
    const loaded = await Promise.all(batch.map(async ({ item }) => (typeof item === 'string' ? { file: item, bytes: await readFile(item) } : item)));
    results.push(...(await postBatch(target, loaded)));
  }
  return { destination: redactText(target.url), instances: results };
}

export function createStowExporter(options: StowTarget & { name: string }): Exporter {
  return {
    name: options.name,
    store: async (files) => {
      const outcome = await storeByStow(options, files);
      return requireAllStored({ ...outcome, destination: options.name });
    },
  };
}
