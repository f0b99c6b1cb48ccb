/**
 * Synthetic studies of all three modalities stored into a real Orthanc by STOW-RS (dicomweb-client) and by
 * C-STORE (dcmtk storescu) are found by QIDO-RS with the right ModalitiesInStudy and instance counts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createDicomWebClient, jsonValue } from '../../src/dicomweb/client';
import { runCli } from '../helpers/cli';
import { OrthancProcess, startOrthanc } from '../helpers/orthanc';
import { listFiles } from '../helpers/synth-files';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-synth-pacs-'));
const dataDir = path.join(tmp, 'data');
let orthanc: OrthancProcess;

interface StudySummary {
  modality: string;
  studyInstanceUid: string;
  images: number;
  folder: string;
}
let patients: Array<{ personId: string; studies: StudySummary[] }>;

beforeAll(async () => {
  const r = runCli(['synth', '--out', dataDir, '--patients', '2', '--seed', '11', '--jpeg', '--endoscopy-images', '3', '--ct-slices', '3', '--pet-slices', '3', '--normal-fraction', '0', '--json']);
  if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  patients = JSON.parse(r.stdout).patients;
  orthanc = await startOrthanc({ aet: 'PACS' });
});

afterAll(async () => {
  await orthanc?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function expectStudiesInPacs(studies: StudySummary[]): Promise<void> {
  const client = createDicomWebClient(orthanc.dicomWebUrl);
  for (const study of studies) {
    const found = (await client.searchForStudies({
      queryParams: { StudyInstanceUID: study.studyInstanceUid, includefield: '00080061,00201208' },
    })) as Array<Record<string, { Value?: unknown[] }>>;
    expect(found).toHaveLength(1);
    expect(jsonValue(found[0], '00080061')).toEqual([study.modality]);
    expect(jsonValue(found[0], '00201208')).toEqual([study.images]);
  }
}

test('STOW-RS: one patient with ES (JPEG), CT and PT studies', async () => {
  const [patient] = patients;
  expect(patient.studies.map((s) => s.modality)).toEqual(['ES', 'CT', 'PT']);
  const client = createDicomWebClient(orthanc.dicomWebUrl);
  for (const study of patient.studies) {
    const datasets = listFiles(path.join(dataDir, study.folder), '.dcm').map((f) => {
      const b = fs.readFileSync(f);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    });
    await client.storeInstances({ datasets });
  }
  await expectStudiesInPacs(patient.studies);
});

test('C-STORE (dcmtk storescu): the other patient, every SOP class and transfer syntax as written', async () => {
  const patient = patients[1];
  const dirs = patient.studies.map((s) => path.join(dataDir, s.folder));
  // --required: a context per SOP class found; -xy: offer JPEG baseline as well (storescu offers only uncompressed
  // by default and would try, and fail, to decompress the endoscopy).
  execFileSync('storescu', ['--required', '--propose-jpeg8', '-aet', 'TESTSCU', '-aec', orthanc.aet, '+sd', '127.0.0.1', String(orthanc.dicomPort), ...dirs], { stdio: 'pipe' });
  await expectStudiesInPacs(patient.studies);
  // The endoscopy was stored as sent: JPEG baseline, not decompressed on the way.
  const es = patient.studies.find((s) => s.modality === 'ES') as StudySummary;
  const instances = (await (await fetch(`${orthanc.url}/tools/find`, { method: 'POST', body: JSON.stringify({ Level: 'Instance', Query: { StudyInstanceUID: es.studyInstanceUid } }) })).json()) as string[];
  const ts = await (await fetch(`${orthanc.url}/instances/${instances[0]}/metadata/TransferSyntax`)).text();
  expect(ts).toBe('1.2.840.10008.1.2.4.50');
});
