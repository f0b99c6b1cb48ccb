/**
 * kill -9 of the node during analysis, then a restart on the same data directory: the interrupted job resumes, and
 * every study ends with exactly one result set in the PACS (deterministic UIDs: a rerun replaces, never duplicates).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createDicomWebClient, jsonValue } from '../../src/dicomweb/client';
import { findFreePort } from '../../src/net/free-port';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { listDicomFiles } from '../../src/synth/files';
import { bearer, TEST_API_AUTH } from '../helpers/api-auth';
import { REPO_ROOT } from '../helpers/cli';
import { waitFor, writeTestModels, testModelsConfig } from '../helpers/node';
import { writeTestModelPackage } from '../helpers/model-package';
import { OrthancProcess, startOrthanc } from '../helpers/orthanc';

jest.setTimeout(300_000);

let tmp: string;
let orthanc: OrthancProcess;
let child: ChildProcess | null = null;
let apiPort: number;
let nodePort: number;
let configFile: string;

function startServe(): ChildProcess {
  const p = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'gastric-ai.js'), 'serve', '--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  p.stderr!.on('data', () => undefined);
  return p;
}
const api = async <T>(route: string): Promise<T> => (await (await fetch(`http://127.0.0.1:${apiPort}${route}`, { headers: bearer('viewer') })).json()) as T;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'node-crash-'));
  // A 224 px model so that analysing a study takes long enough to be interrupted.
  const models = await writeTestModels(path.join(tmp, 'models'), []);
  await writeTestModelPackage(models.ES, 'ES', 224);
  [apiPort, nodePort] = [await findFreePort(), await findFreePort()];
  orthanc = await startOrthanc({ aet: 'PACS' });
  configFile = path.join(tmp, 'node.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      node: { dataDir: path.join(tmp, 'data') },
      ingest: { dimse: { host: '127.0.0.1', port: nodePort, minFreeDiskMb: 0, peers: [{ name: 'modality', aet: 'MODALITY', hosts: ['127.0.0.1'] }] } },
      assembler: { quietSeconds: 0.5 },
      queue: { backoffInitialSeconds: 0.2, backoffMaxSeconds: 1 },
      inference: { engine: 'onnx', threads: 1, batchSize: 8, models: testModelsConfig(models).inference.models },
    routing: testModelsConfig(models).routing,
      api: { host: '127.0.0.1', port: apiPort, auth: TEST_API_AUTH },
      export: { target: 'source', destinations: [{ name: 'pacs', type: 'stow', url: orthanc.dicomWebUrl, auth: { type: 'none' }, aet: 'MODALITY' }] },
    }),
  );
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await orthanc?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('kill -9 during analysis, restart: each study has exactly one result set', async () => {
  child = startServe();
  await waitFor('the node API', async () => (await fetch(`http://127.0.0.1:${apiPort}/health`)).status > 0, 60_000);
  const out = path.join(tmp, 'synth');
  const summary = generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out, patients: 3, seed: 21, modalities: ['ES'], jpeg: false, normalFraction: 0, endoscopyImages: 16 });
  const studies = summary.patients.map((p) => p.studies[0].studyInstanceUid);
  for (const p of summary.patients)
    execFileSync('storescu', ['-aet', 'MODALITY', '-aec', 'GASTRIC_AI', '127.0.0.1', String(nodePort), ...listDicomFiles(path.join(out, p.studies[0].folder))]);

  await waitFor('a study being analysed', async () => (await api<Array<{ status: string }>>('/api/worklist')).some((w) => w.status === 'analysing'), 60_000, 20);
  child.kill('SIGKILL');
  await new Promise((r) => child!.once('exit', r));

  child = startServe();
  await waitFor('every study done', async () => (await api<Array<{ studyInstanceUid: string; status: string }>>('/api/worklist')).filter((w) => studies.includes(w.studyInstanceUid) && w.status === 'done').length === 3, 240_000, 500);

  const client = createDicomWebClient(orthanc.dicomWebUrl);
  let resumed = 0;
  for (const uid of studies) {
    const detail = await api<{ results: Array<{ sopInstanceUid: string }>; jobs: Array<{ kind: string; attempts: number }> }>(`/api/studies/${uid}`);
    resumed += detail.jobs.filter((j) => j.kind === 'analyze' && j.attempts === 2).length;
    const instances = (await client.searchForInstances({ studyInstanceUID: uid })) as Array<Record<string, { Value?: unknown[] }>>;
    expect(instances.filter((i) => String(jsonValue(i, '00080016')[0]) === '1.2.840.10008.5.1.4.1.1.88.33')).toHaveLength(1);
    expect(instances).toHaveLength(detail.results.length); // exactly the node's one result set, nothing twice
  }
  expect(resumed).toBe(1);
  child.kill('SIGTERM');
  await new Promise((r) => child!.once('exit', r));
  child = null;
});
