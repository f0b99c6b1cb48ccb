/**
 * dicomweb-client set up for Node: it speaks through XMLHttpRequest, which Node lacks, so xhr2 provides it.
 * Shared by the poller (QIDO/WADO), the STOW-RS exporter and the tests.
 */
import { api } from 'dicomweb-client';

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

export function createDicomWebClient(url: string, auth: DicomWebAuth = { type: 'none' }): api.DICOMwebClient {
  ensureXhr();
  return new api.DICOMwebClient({ url, headers: authHeaders(auth), singlepart: false, verbose: false });
}

/** The value of one attribute in a DICOM JSON (PS3.18 F.2) object, by tag, e.g. '0020000D'. */
export function jsonValue(obj: Record<string, { Value?: unknown[] }>, tag: string): unknown[] {
  return obj[tag]?.Value ?? [];
}
