/**
 * The DICOMweb calls the poller makes (QIDO-RS search, WADO-RS retrieve, PS3.18 10.4 and 10.6), typed, with a
 * per-request inactivity timeout (a hung PACS must not block polling forever) and errors that say what failed
 * without leaking credentials.
 */
import type { api } from 'dicomweb-client';
import { createDicomWebClient, createXhrRequest, type DicomWebAuth } from '../../dicomweb/client';
import { describeTlsError } from '../../security/tls';
import type { DicomJsonObject } from './dicom-json';

export type QueryParams = Record<string, string | number>;

export interface DicomWebService {
  searchStudies(query: QueryParams): Promise<DicomJsonObject[]>;
  searchSeries(studyInstanceUid: string, query: QueryParams): Promise<DicomJsonObject[]>;
  searchInstances(studyInstanceUid: string, seriesInstanceUid: string, query: QueryParams): Promise<DicomJsonObject[]>;
  /** Every instance of a series as Part 10 bytes (one multipart response, held in memory). */
  retrieveSeries(studyInstanceUid: string, seriesInstanceUid: string): Promise<ArrayBuffer[]>;
  retrieveInstance(studyInstanceUid: string, seriesInstanceUid: string, sopInstanceUid: string): Promise<ArrayBuffer>;
}

/** A DICOMweb request that failed; status is the HTTP status, or null when no answer came. */
export class DicomWebRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'DicomWebRequestError';
  }
}

export interface DicomWebServiceOptions {
  url: string;
  auth: DicomWebAuth;
  /** Socket inactivity timeout per request (xhr2 applies it to the HTTP socket), ms. */
  timeoutMs: number;
  /** PEM CA bundle trusted for an https url (ingest.dicomweb.caFile); absent: Node's public CAs. */
  ca?: Buffer;
  /** Told of every QIDO-RS search once it ended (the audit trail's Query event); must not throw. */
  onQuery?(event: QueryRecord): void;
}

/** One QIDO-RS search: the request URL (with its query string, without credentials) and how it ended. */
export interface QueryRecord {
  url: string;
  ok: boolean;
  error?: string;
}

/** The URL as it may appear in logs and reports: no user:password part. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

/** `cause`: the socket's own error, when xhr2 reported only status 0 (a TLS failure, a refused connection). */
export function describeFailure(err: unknown, what: string, url: string, cause?: Error & { code?: string }): DicomWebRequestError {
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number') {
    if (status === 0 && cause) {
      const tls = cause.code !== undefined && /CERT|SSL|TLS|UNABLE_TO|SELF_SIGNED/.test(cause.code);
      return new DicomWebRequestError(`${what}: no answer from ${displayUrl(url)}: ${tls ? describeTlsError(cause) : (cause.code ?? cause.message)}`, null);
    }
    if (status === 0) {
      return new DicomWebRequestError(`${what}: no answer from ${displayUrl(url)} (refused, unreachable or timed out)`, null);
    }
    const hint = status === 401 || status === 403 ? ': check the DICOMweb credentials' : '';
    return new DicomWebRequestError(`${what}: HTTP ${status} from ${displayUrl(url)}${hint}`, status);
  }
  return new DicomWebRequestError(`${what}: ${err instanceof Error ? err.message : String(err)}`, null);
}

export function createDicomWebService(options: DicomWebServiceOptions): DicomWebService {
  const client: api.DICOMwebClient = createDicomWebClient(options.url, options.auth);
  // dicomweb-client lets a caller supply the XMLHttpRequest; that is where xhr2 takes its timeout and https CA.
  // The library's declarations are looser than its behaviour (searches return promises); one cast, here.
  const untyped = client as unknown as Record<string, (o: Record<string, unknown>) => Promise<unknown>>;
  const call = async <T>(what: string, method: string, args: Record<string, unknown>): Promise<T> => {
    const request = createXhrRequest({ timeoutMs: options.timeoutMs, ca: options.ca });
    try {
      return (await untyped[method].call(client, { ...args, request: { instance: request.instance } })) as T;
    } catch (err) {
      throw describeFailure(err, what, options.url, request.failure());
    }
  };
  const list = (answer: unknown): DicomJsonObject[] => (Array.isArray(answer) ? (answer as DicomJsonObject[]) : []);
  const base = displayUrl(options.url);
  /** A search, reported to onQuery whether it succeeded or not. */
  const search = async (what: string, method: string, resource: string, args: Record<string, unknown>, query: QueryParams): Promise<DicomJsonObject[]> => {
    const params = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
    const url = `${base}/${resource}${params ? `?${params}` : ''}`;
    try {
      const answer = list(await call(what, method, { ...args, queryParams: query }));
      options.onQuery?.({ url, ok: true });
      return answer;
    } catch (err) {
      options.onQuery?.({ url, ok: false, error: (err as Error).message });
      throw err;
    }
  };

  return {
    searchStudies: (query) => search('QIDO-RS studies', 'searchForStudies', 'studies', {}, query),
    searchSeries: (studyInstanceUID, query) =>
      search(`QIDO-RS series of study ${studyInstanceUID}`, 'searchForSeries', `studies/${studyInstanceUID}/series`, { studyInstanceUID }, query),
    searchInstances: (studyInstanceUID, seriesInstanceUID, query) =>
      search(`QIDO-RS instances of series ${seriesInstanceUID}`, 'searchForInstances', `studies/${studyInstanceUID}/series/${seriesInstanceUID}/instances`, { studyInstanceUID, seriesInstanceUID }, query),
    retrieveSeries: (studyInstanceUID, seriesInstanceUID) =>
      call<ArrayBuffer[]>(`WADO-RS series ${seriesInstanceUID}`, 'retrieveSeries', { studyInstanceUID, seriesInstanceUID }),
    retrieveInstance: (studyInstanceUID, seriesInstanceUID, sopInstanceUID) =>
      call<ArrayBuffer>(`WADO-RS instance ${sopInstanceUID}`, 'retrieveInstance', {
        studyInstanceUID,
        seriesInstanceUID,
        sopInstanceUID,
      }),
  };
}

/**
 * Runs a paged QIDO-RS search (limit/offset, PS3.18 8.3.4.4) until a short page, de-duplicating by `key` (results
 * are not assumed sorted). A full page that brings nothing new means the server ignores offset: that is an error
 * rather than a silent truncation.
 */
export async function searchAllPages(
  search: (page: { limit: number; offset: number }) => Promise<DicomJsonObject[]>,
  key: (obj: DicomJsonObject) => string,
  pageSize: number,
): Promise<DicomJsonObject[]> {
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error(`pageSize must be a positive integer, got ${pageSize}`);
  const found = new Map<string, DicomJsonObject>();
  for (let offset = 0; ; offset += pageSize) {
    const page = await search({ limit: pageSize, offset });
    let added = 0;
    for (const obj of page) {
      const k = key(obj);
      if (!found.has(k)) {
        found.set(k, obj);
        added++;
      }
    }
    // Short page: the end. Longer than asked: the server ignored limit and sent everything.
    if (page.length !== pageSize) break;
    if (added === 0) throw new Error(`QIDO-RS paging: offset ${offset} returned no new results (server ignores offset?)`);
  }
  return [...found.values()];
}
