/**
 * The DIMSE path end to end: a synthetic JPEG endoscopy study stored into Orthanc is forwarded by the Lua script to
 * the node's C-STORE SCP, analysed, and its SR, SEG and SC are stored back by STOW-RS into the same study,
 * validator-clean; the worklist shows it; the log holds no patient data.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readPart10File, writePart10 } from '../../src/dicom/io';
import { SopClass } from '../../src/dicom/uids';
import { createDicomWebClient, jsonValue } from '../../src/dicomweb/client';
import { createDicomWebService } from '../../src/ingest/dicomweb/service';
import { createLogger } from '../../src/logging/logger';
import { findFreePort } from '../../src/net/free-port';
import { RunningNode, startNode } from '../../src/node/node';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { listDicomFiles } from '../../src/synth/files';
import { REPO_ROOT } from '../helpers/cli';
import { bearer } from '../helpers/api-auth';
import { nodeConfig, testModelsConfig, waitFor, writeTestModels } from '../helpers/node';
import { OrthancProcess, startOrthanc } from '../helpers/orthanc';
import { dciodvfyErrors, dsrdumpProblems, pixelmedSrErrors } from '../helpers/validators';

jest.setTimeout(240_000);

let tmp: string;
let orthanc: OrthancProcess;
let node: RunningNode;
const logs: string[] = [];

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'node-dimse-'));
  const models = await writeTestModels(path.join(tmp, 'models'), ['ES']);
  const [httpPort, nodePort] = [await findFreePort(), await findFreePort()];
  const config = nodeConfig({
    node: { dataDir: path.join(tmp, 'data') },
    ingest: { dimse: { host: '127.0.0.1', port: nodePort, peers: [{ name: 'pacs', aet: 'PACS', hosts: ['127.0.0.1'] }], minFreeDiskMb: 0 } },
    assembler: { quietSeconds: 1 },
    inference: { engine: 'onnx', threads: 1, batchSize: 4, models: testModelsConfig(models).inference.models },
    // The endoscopy tower's way: Secondary Capture stills with modality OT, recognised by SOP class and calling AE.
    routing: { rules: [...testModelsConfig(models).routing.rules, { callingAet: 'PACS', sopClassUid: SopClass.SecondaryCaptureImage, model: 'test-es' }] },
    api: { port: 0 },
    export: { target: 'source', destinations: [{ name: 'pacs', type: 'stow', url: `http://127.0.0.1:${httpPort}/dicom-web`, auth: { type: 'none' }, aet: 'PACS' }] },
  });
  node = await startNode(config, { baseDir: REPO_ROOT, logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }) });
  orthanc = await startOrthanc({ aet: 'PACS', httpPort, stableAgeSeconds: 1, forwardTo: { aet: 'GASTRIC_AI', host: '127.0.0.1', port: nodePort } });
});

afterAll(async () => {
  await node?.stop();
  await orthanc?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a JPEG endoscopy study comes back with SR, SEG and SC in the same study, validator-clean', async () => {
  const out = path.join(tmp, 'synth');
  const summary = generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out, patients: 1, seed: 3, modalities: ['ES'], jpeg: true, normalFraction: 0, endoscopyImages: 4 });
  const study = summary.patients[0].studies[0];
  const files = listDicomFiles(path.join(out, study.folder));
  const client = createDicomWebClient(orthanc.dicomWebUrl);
  await client.storeInstances({ datasets: files.map((f) => new Uint8Array(fs.readFileSync(f)).buffer as ArrayBuffer) });

  const series = await waitFor(
    'SR, SEG and SC series in the study',
    async () => {
      const found = (await client.searchForSeries({ studyInstanceUID: study.studyInstanceUid })) as Array<Record<string, { Value?: unknown[] }>>;
      const modalities = found.map((s) => String(jsonValue(s, '00080060')[0]));
      return ['SR', 'SEG', 'OT'].every((m) => modalities.includes(m)) ? found : undefined;
    },
    180_000,
    500,
  );
  expect(series.map((s) => String(jsonValue(s, '00080060')[0])).sort()).toEqual(['ES', 'OT', 'SEG', 'SR']);

  // What came back, validated (the objects as Orthanc returns them by WADO-RS).
  for (const s of series) {
    const modality = String(jsonValue(s, '00080060')[0]);
    if (modality === 'ES') continue;
    const seriesUid = String(jsonValue(s, '0020000E')[0]);
    const instances = await createDicomWebService({ url: orthanc.dicomWebUrl, auth: { type: 'none' }, timeoutMs: 60_000 }).retrieveSeries(study.studyInstanceUid, seriesUid);
    expect(instances.length).toBeGreaterThan(0);
    instances.forEach((bytes, i) => {
      const file = path.join(tmp, `${modality}-${i}.dcm`);
      fs.writeFileSync(file, Buffer.from(bytes));
      expect(dciodvfyErrors(file)).toEqual([]);
      if (modality === 'SR') {
        expect(dsrdumpProblems(file)).toEqual([]);
        expect(pixelmedSrErrors(file)).toEqual([]);
      }
    });
  }

  const worklist = (await (await fetch(`${node.apiUrl}/api/worklist`, { headers: bearer('viewer') })).json()) as Array<{ studyInstanceUid: string; status: string; priority: string | null }>;
  const entry = worklist.find((w) => w.studyInstanceUid === study.studyInstanceUid);
  expect(entry?.status).toBe('done');
  expect(['urgent', 'suspicious', 'routine']).toContain(entry?.priority);
  const detail = (await (await fetch(`${node.apiUrl}/api/studies/${study.studyInstanceUid}`, { headers: bearer('viewer') })).json()) as { results: unknown[]; analysis: { images: unknown[] } };
  expect(detail.analysis.images).toHaveLength(4);
  expect(detail.results.length).toBeGreaterThanOrEqual(2);

  // No patient data in the node's log (names/IDs of the synthetic patient).
  const { dataset } = readPart10File(files[0]);
  const text = logs.join('\n');
  for (const v of [dataset.PatientName, dataset.PatientID].flat().map((x: unknown) => (typeof x === 'object' && x ? (x as { Alphabetic?: string }).Alphabetic : x)))
    if (v) expect(text).not.toContain(String(v));
});

test('an instance arriving after the analysis re-opens the study; the new results replace the old ones (same UIDs)', async () => {
  const out = path.join(tmp, 'synth');
  const folder = fs.readdirSync(path.join(out, '원천데이터'))[0];
  const files = listDicomFiles(path.join(out, '원천데이터', folder));
  const { dataset } = readPart10File(files[0]);
  const studyUid = String(dataset.StudyInstanceUID);
  // One more still of the same study (a new SOP Instance UID), stored into the PACS, which forwards the grown study.
  dataset.SOPInstanceUID = `${String(dataset.SOPInstanceUID)}.9`;
  dataset.InstanceNumber = 99;
  const client = createDicomWebClient(orthanc.dicomWebUrl);
  const extra = writePart10(dataset, String(readPart10File(files[0]).meta.TransferSyntaxUID));
  await client.storeInstances({ datasets: [new Uint8Array(extra).buffer as ArrayBuffer] });

  const detail = await waitFor(
    'the second analysis exported',
    async () => {
      const d = (await (await fetch(`${node.apiUrl}/api/studies/${studyUid}`, { headers: bearer('viewer') })).json()) as { status: string; analysis: { images: unknown[] }; results: Array<{ kind: string; sopInstanceUid: string }> };
      return d.status === 'done' && d.analysis.images.length === 5 ? d : undefined;
    },
    180_000,
    500,
  );
  const instances = (await client.searchForInstances({ studyInstanceUID: studyUid })) as Array<Record<string, { Value?: unknown[] }>>;
  const srs = instances.filter((i) => String(jsonValue(i, '00080016')[0]) === '1.2.840.10008.5.1.4.1.1.88.33');
  expect(srs.map((i) => String(jsonValue(i, '00080018')[0]))).toEqual([detail.results.find((r) => r.kind === 'SR')!.sopInstanceUid]);
});

test('a real Secondary Capture endoscopy still (modality OT), routed by SOP class and calling AE, is read by the ES model', async () => {
  // NEMA WG04 VL2_UNC: an EGD still of a prepyloric ulcer as Secondary Capture, Modality OT.
  const still = fs.readFileSync(path.join(REPO_ROOT, '..', 'shared', 'data', 'dicom', 'nema-wg04', 'REF', 'VL2_UNC'));
  const { dataset } = readPart10File(path.join(REPO_ROOT, '..', 'shared', 'data', 'dicom', 'nema-wg04', 'REF', 'VL2_UNC'));
  const studyUid = String(dataset.StudyInstanceUID);
  await createDicomWebClient(orthanc.dicomWebUrl).storeInstances({ datasets: [new Uint8Array(still).buffer as ArrayBuffer] });
  const detail = await waitFor(
    'the OT still analysed and exported',
    async () => {
      const d = (await (await fetch(`${node.apiUrl}/api/studies/${studyUid}`, { headers: bearer('viewer') })).json()) as { status: string; analysis: { images: Array<{ modelId: string; sopClassUid: string }>; models: Array<{ id: string }> } | null; results: Array<{ kind: string }> };
      return d.status === 'done' ? d : undefined;
    },
    180_000,
    500,
  );
  expect(detail.analysis!.images).toEqual([expect.objectContaining({ modelId: 'test-es', sopClassUid: SopClass.SecondaryCaptureImage })]);
  expect(detail.analysis!.models.map((m) => m.id)).toEqual(['test-es']);
  expect(detail.results.map((r) => r.kind)).toContain('SR');
});
