/**
 * Result objects (SR, SEG, SC) of a synthetic ENDO and a CT study, written by writeResultObjects and stored into a
 * real Orthanc by STOW-RS and by C-STORE: they land in the source study as new SR/SEG/OT series, and storing them
 * again replaces rather than duplicates (deterministic UIDs). Unreachable and refusing peers give a clear ExportError.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createDicomWebClient, jsonValue } from '../../src/dicomweb/client';
import { createCStoreExporter, storeByCStore } from '../../src/export/cstore';
import { createStowExporter, storeByStow } from '../../src/export/stow';
import { ExportError, Exporter } from '../../src/export/types';
import { findFreePort } from '../../src/net/free-port';
import { buildResultObjects, writeResultObjects } from '../../src/results/build';
import { OrthancProcess, startOrthanc, uploadFile } from '../helpers/orthanc';
import { syntheticResultInput } from '../helpers/result-input';
import { waitForPort } from '../helpers/wait-for-port';

jest.setTimeout(120_000);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'results-store-'));
let orthanc: OrthancProcess;

interface Case {
  studyInstanceUid: string;
  sources: string[];
  results: string[];
}
const cases: Record<'ES' | 'CT', Case> = {} as Record<'ES' | 'CT', Case>;

beforeAll(async () => {
  for (const modality of ['ES', 'CT'] as const) {
    const input = syntheticResultInput({ modality, positive: true, jpeg: modality === 'ES', dir: path.join(tmp, modality) });
    const objects = await buildResultObjects(input, { secondaryCapture: true });
    cases[modality] = { studyInstanceUid: input.analysis.studyInstanceUid, sources: input.files, results: writeResultObjects(objects, path.join(tmp, modality, 'results')) };
  }
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function orthancInstanceCount(): Promise<number> {
  const stats = (await (await fetch(`${orthanc.url}/statistics`)).json()) as { CountInstances: number };
  return stats.CountInstances;
}

/** The study's series by QIDO-RS: modality and number of instances, sorted by modality. */
async function seriesOf(studyInstanceUid: string): Promise<Array<{ modality: string; instances: number }>> {
  const client = createDicomWebClient(orthanc.dicomWebUrl);
  const series = (await client.searchForSeries({ studyInstanceUID: studyInstanceUid, queryParams: { includefield: '00201209' } })) as Array<Record<string, { Value?: unknown[] }>>;
  return series.map((s) => ({ modality: String(jsonValue(s, '00080060')[0]), instances: Number(jsonValue(s, '00201209')[0]) })).sort((a, b) => a.modality.localeCompare(b.modality));
}

const exporters: Record<string, () => Exporter> = {
  'STOW-RS': () => createStowExporter({ name: 'pacs-stow', url: orthanc.dicomWebUrl }),
  'C-STORE': () => createCStoreExporter({ name: 'pacs-dimse', callingAet: 'GASTRIC_AI', calledAet: orthanc.aet, host: '127.0.0.1', port: orthanc.dicomPort }),
};

describe.each([
  ['ES', 'STOW-RS'],
  ['ES', 'C-STORE'],
  ['CT', 'STOW-RS'],
  ['CT', 'C-STORE'],
] as const)('%s results by %s', (modality, protocol) => {
  beforeEach(async () => {
    orthanc = await startOrthanc({ aet: 'PACS' });
  });
  afterEach(() => orthanc?.stop());

  test('land in the source study as SR, SEG and OT series; a second store leaves one copy of each', async () => {
    const { studyInstanceUid, sources, results } = cases[modality];
    for (const file of sources) await uploadFile(orthanc, file);
    expect(await seriesOf(studyInstanceUid)).toEqual([{ modality, instances: sources.length }]);

    const outcome = await exporters[protocol]().store(results);
    expect(outcome.instances.map((i) => [path.basename(i.file), i.status])).toEqual(results.map((f) => [path.basename(f), 'stored']));
    const kinds = (prefix: string): number => results.filter((f) => path.basename(f).startsWith(prefix)).length;
    const expected = [
      { modality, instances: sources.length },
      { modality: 'OT', instances: kinds('sc-') },
      { modality: 'SEG', instances: kinds('seg-') },
      { modality: 'SR', instances: 1 },
    ].sort((a, b) => a.modality.localeCompare(b.modality));
    expect(kinds('sc-')).toBeGreaterThan(0);
    expect(kinds('seg-')).toBeGreaterThan(0);
    expect(await seriesOf(studyInstanceUid)).toEqual(expected);
    expect(await orthancInstanceCount()).toBe(sources.length + results.length);

    await exporters[protocol]().store(results);
    expect(await orthancInstanceCount()).toBe(sources.length + results.length);
    expect(await seriesOf(studyInstanceUid)).toEqual(expected);
  });
});

test('STOW-RS takes Part 10 buffers too, and splits a large store into several requests', async () => {
  orthanc = await startOrthanc({ aet: 'PACS' });
  try {
    const { results } = cases.CT;
    const instances = results.map((file) => ({ file: path.basename(file), bytes: fs.readFileSync(file) }));
    const outcome = await storeByStow({ url: orthanc.dicomWebUrl, maxRequestBytes: 1 }, instances); // one instance per request
    expect(outcome.instances.map((i) => [i.file, i.status])).toEqual(instances.map((i) => [i.file, 'stored']));
    expect(new Set(outcome.instances.map((i) => i.sopInstanceUid)).size).toBe(results.length);
    expect(await orthancInstanceCount()).toBe(results.length);
  } finally {
    await orthanc.stop();
  }
});

test('STOW-RS: an unreachable PACS and a refusing endpoint are ExportErrors that say so', async () => {
  const port = await findFreePort();
  await expect(storeByStow({ url: `http://127.0.0.1:${port}/dicom-web` }, cases.ES.results)).rejects.toThrow(/STOW-RS to .* failed: ECONNREFUSED/);
  orthanc = await startOrthanc({ aet: 'PACS' });
  try {
    const refused = storeByStow({ url: `${orthanc.url}/no-such-service` }, cases.ES.results);
    await expect(refused).rejects.toBeInstanceOf(ExportError);
    await expect(refused).rejects.toThrow(/refused: HTTP 404/);
  } finally {
    await orthanc.stop();
  }
});

test('C-STORE: connection refused and association rejection are ExportErrors that say so', async () => {
  const port = await findFreePort();
  await expect(storeByCStore({ callingAet: 'GASTRIC_AI', calledAet: 'PACS', host: '127.0.0.1', port }, cases.ES.results)).rejects.toThrow(/connection refused/);

  // dcmtk's storescp, told to refuse every association (A-ASSOCIATE-RJ, PS3.8 9.3.4).
  const refusePort = await findFreePort();
  const scp: ChildProcess = spawn('storescp', ['--refuse', '-aet', 'REFUSER', String(refusePort)], { stdio: 'ignore' });
  try {
    await waitForPort(refusePort);
    const attempt = storeByCStore({ callingAet: 'GASTRIC_AI', calledAet: 'REFUSER', host: '127.0.0.1', port: refusePort }, cases.ES.results);
    await expect(attempt).rejects.toBeInstanceOf(ExportError);
    await expect(attempt).rejects.toThrow(/association rejected by REFUSER@127\.0\.0\.1:\d+: permanent rejection/);
  } finally {
    scp.kill('SIGKILL');
  }
});
