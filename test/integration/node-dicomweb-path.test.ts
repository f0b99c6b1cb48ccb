/**
 * The DICOMweb path end to end: studies stored into an Orthanc that forwards nothing are found by the node's QIDO-RS
 * poller, pulled by WADO-RS and analysed; results are stored back by STOW-RS into the same study; the next poll
 * fetches nothing again; a chest CT is skipped with a reason and gets no results.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Dataset, dicomDate, readPart10File, writePart10 } from '../../src/dicom/io';
import { createDicomWebClient, jsonValue } from '../../src/dicomweb/client';
import { createLogger, silentLogger } from '../../src/logging/logger';
import { RunningNode, startNode } from '../../src/node/node';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { listDicomFiles } from '../../src/synth/files';
import { REPO_ROOT } from '../helpers/cli';
import { bearer } from '../helpers/api-auth';
import { nodeConfig, testModelsConfig, waitFor, writeTestModels } from '../helpers/node';
import { OrthancProcess, startOrthanc } from '../helpers/orthanc';

jest.setTimeout(240_000);

let tmp: string;
let orthanc: OrthancProcess;
let node: RunningNode;

/** The file as acquired today: the poller queries by StudyDate from its watermark, as a PACS poller must. */
function todayBytes(file: string, change: (ds: Dataset) => void = () => undefined): ArrayBuffer {
  const { meta, dataset } = readPart10File(file);
  dataset.StudyDate = dicomDate(new Date());
  change(dataset);
  return new Uint8Array(writePart10(dataset, String(meta.TransferSyntaxUID))).buffer as ArrayBuffer;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'node-dicomweb-'));
  orthanc = await startOrthanc({ aet: 'PACS' });
  const models = await writeTestModels(path.join(tmp, 'models'), ['ES', 'CT']);
  const config = nodeConfig({
    node: { dataDir: path.join(tmp, 'data') },
    ingest: {
      dimse: { enabled: false },
      dicomweb: { enabled: true, url: orthanc.dicomWebUrl, schedule: '*/2 * * * * *' },
    },
    assembler: { quietSeconds: 1 },
    inference: { engine: 'onnx', threads: 1, batchSize: 4, models: testModelsConfig(models).inference.models },
    routing: testModelsConfig(models).routing,
    api: { port: 0 },
    export: { target: 'source' },
  });
  node = await startNode(config, { baseDir: REPO_ROOT, logger: process.env.NODE_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger });
});

afterAll(async () => {
  await node?.stop();
  await orthanc?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a polled endoscopy study gets its results; a chest CT is skipped; nothing is fetched twice', async () => {
  const out = path.join(tmp, 'synth');
  const summary = generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out, patients: 1, seed: 5, modalities: ['ES', 'CT'], jpeg: true, normalFraction: 0, endoscopyImages: 3, ctSlices: 3 });
  const [es, ct] = ['ES', 'CT'].map((m) => summary.patients[0].studies.find((s) => s.modality === m)!);
  const client = createDicomWebClient(orthanc.dicomWebUrl);
  await client.storeInstances({ datasets: listDicomFiles(path.join(out, es.folder)).map((f) => todayBytes(f)) });
  // The same synthetic CT, labelled as a chest CT: not gastric for the default routing rules.
  const chest = listDicomFiles(path.join(out, ct.folder)).map((f) =>
    todayBytes(f, (ds) => {
      ds.BodyPartExamined = 'CHEST';
      ds.StudyDescription = 'CT chest';
    }),
  );
  await client.storeInstances({ datasets: chest });

  const modalitiesOf = async (studyUid: string): Promise<string[]> =>
    ((await client.searchForSeries({ studyInstanceUID: studyUid })) as Array<Record<string, { Value?: unknown[] }>>).map((s) => String(jsonValue(s, '00080060')[0])).sort();
  await waitFor('results in the endoscopy study', async () => ((await modalitiesOf(es.studyInstanceUid)).includes('SR') ? true : undefined), 180_000, 500);
  expect(await modalitiesOf(es.studyInstanceUid)).toEqual(['ES', 'OT', 'SEG', 'SR']);

  const chestDetail = await waitFor('the chest CT skipped', async () => {
    const d = (await (await fetch(`${node.apiUrl}/api/studies/${ct.studyInstanceUid}`, { headers: bearer('viewer') })).json()) as { status: string; reason: string | null };
    return d.status === 'skipped' ? d : undefined;
  });
  expect(chestDetail.reason).toMatch(/CT \(CHEST\)/);
  expect(await modalitiesOf(ct.studyInstanceUid)).toEqual(['CT']);

  const esDetail = (await (await fetch(`${node.apiUrl}/api/studies/${es.studyInstanceUid}`, { headers: bearer('viewer') })).json()) as { status: string };
  await waitFor('the endoscopy study done', async () => ((await (await fetch(`${node.apiUrl}/api/studies/${es.studyInstanceUid}`, { headers: bearer('viewer') })).json()) as { status: string }).status === 'done');
  expect(['exporting', 'done']).toContain(esDetail.status);

  // Our own results stored back do not bring the study in again.
  const report = await node.poller!.pollOnce();
  expect(report.ok).toBe(true);
  expect(report.instancesFetched).toBe(0);
});
