/** Jest helpers around the Orthanc launcher: start instances, upload files, query studies. */
import { readFile } from 'node:fs/promises';
import type { OrthancProcess } from '../../src/orthanc/launcher';

export { startOrthanc } from '../../src/orthanc/launcher';
export type { OrthancOptions, OrthancProcess, DicomPeer } from '../../src/orthanc/launcher';

/** Answer of POST /instances. */
export interface UploadResult {
  ID: string;
  Path: string;
  Status: string;
  ParentPatient: string;
  ParentStudy: string;
  ParentSeries: string;
}

/** Uploads one DICOM file through the REST API (POST /instances); throws with Orthanc's log on failure. */
export async function uploadFile(orthanc: OrthancProcess, path: string): Promise<UploadResult> {
  const body = await readFile(path);
  const response = await fetch(`${orthanc.url}/instances`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/dicom' },
    body,
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`upload of ${path} failed: HTTP ${response.status} ${text}\n${orthanc.log()}`);
  }
  return JSON.parse(text) as UploadResult;
}

/** One QIDO-RS study result (DICOM JSON model). */
export type DicomJsonDataset = Record<string, { vr: string; Value?: unknown[] }>;

/** GET {dicomWebUrl}/studies (QIDO-RS). */
export async function qidoStudies(orthanc: OrthancProcess): Promise<DicomJsonDataset[]> {
  const response = await fetch(`${orthanc.dicomWebUrl}/studies`, { headers: { Accept: 'application/dicom+json' } });
  if (!response.ok) throw new Error(`QIDO-RS /studies failed: HTTP ${response.status}`);
  const text = await response.text();
  return text.trim() === '' ? [] : (JSON.parse(text) as DicomJsonDataset[]);
}
