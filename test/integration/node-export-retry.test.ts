/**
 * Export target down: results arrive after it comes back (retried with backoff), and a target that never comes back
 * ends in a bounded number of attempts, the study marked failed with the reason, visible in the API and /metrics.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createDicomWebClient, jsonValue } from '../../src/dicomweb/client';
import { silentLogger } from '../../src/logging/logger';
import { findFreePort } from '../../src/net/free-port';
import { RunningNode, startNode } from '../../src/node/node';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { listDicomFiles } from '../../src/synth/files';
import { REPO_ROOT } from '../helpers/cli';
import { bearer } from '../helpers/api-auth';
import { nodeConfig, testModelsConfig, waitFor, writeTestModels } from '../helpers/node';
import { OrthancProcess, startOrthanc } from '../helpers/orthanc';

jest.setTimeout(240_000);

const MAX_ATTEMPTS = 4;
let tmp: string;
let node: RunningNode;
let orthanc: OrthancProcess | null = null;
let httpPort: number;
let nodePort: number;

interface Detail {
  status: string;
  reason: string | null;
  jobs: Array<{ kind: string; state: string; attempts: number; lastError: string | null }>;
}
const detail = async (uid: string): Promise<Detail> => (await (await fetch(`${node.apiUrl}/api/studies/${uid}`, { headers: bearer('viewer') })).json()) as Detail;

// Async: the node's listener runs in this process, so a blocking storescu call would starve it.
async function sendStudy(seed: number): Promise<string> {
  const out = path.join(tmp, `synth-${seed}`);
  const summary = generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out, patients: 1, seed, modalities: ['ES'], jpeg: false, normalFraction: 0, endoscopyImages: 2 });
  const study = summary.patients[0].studies[0];
  await promisify(execFile)('storescu', ['-aet', 'MODALITY', '-aec', 'GASTRIC_AI', '127.0.0.1', String(nodePort), ...listDicomFiles(path.join(out, study.folder))]);
  return study.studyInstanceUid;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'node-export-'));
  const models = await writeTestModels(path.join(tmp, 'models'), ['ES']);
  [httpPort, nodePort] = [await findFreePort(), await findFreePort()];
  const config = nodeConfig({
    node: { dataDir: path.join(tmp, 'data') },
    ingest: { dimse: { host: '127.0.0.1', port: nodePort, minFreeDiskMb: 0, peers: [{ name: 'modality', aet: 'MODALITY', hosts: ['127.0.0.1'] }] } },
    assembler: { quietSeconds: 0.5 },
    queue: { backoffInitialSeconds: 0.5, backoffMaxSeconds: 1 },
    inference: { engine: 'onnx', threads: 1, batchSize: 4, models: testModelsConfig(models).inference.models },
    routing: testModelsConfig(models).routing,
    api: { port: 0 },
    export: {
      target: 'source',
      maxAttempts: MAX_ATTEMPTS,
      destinations: [{ name: 'pacs', type: 'stow', url: `http://127.0.0.1:${httpPort}/dicom-web`, auth: { type: 'none' }, aet: 'MODALITY' }],
    },
  });
  node = await startNode(config, { baseDir: REPO_ROOT, logger: silentLogger });
});

afterAll(async () => {
  await node?.stop();
  await orthanc?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('results arrive once the PACS is back; a PACS that stays down dead-letters the export after maxAttempts', async () => {
  const first = await sendStudy(11);
  await waitFor('two failed export attempts', async () => {
    const e = (await detail(first)).jobs.find((j) => j.kind === 'export');
    return e && e.attempts >= 2 && e.lastError ? e : undefined;
  });
  orthanc = await startOrthanc({ aet: 'PACS', httpPort });
  await waitFor('the study done', async () => (await detail(first)).status === 'done', 60_000);
  const client = createDicomWebClient(orthanc.dicomWebUrl);
  const series = (await client.searchForSeries({ studyInstanceUID: first })) as Array<Record<string, { Value?: unknown[] }>>;
  expect(series.map((s) => String(jsonValue(s, '00080060')[0])).sort()).toEqual(expect.arrayContaining(['SR']));
  const exportJob = (await detail(first)).jobs.find((j) => j.kind === 'export')!;
  expect(exportJob.attempts).toBeGreaterThanOrEqual(3);
  expect(exportJob.attempts).toBeLessThanOrEqual(MAX_ATTEMPTS);

  await orthanc.stop();
  orthanc = null;
  const second = await sendStudy(12);
  const failed = await waitFor('the export dead-lettered', async () => {
    const d = await detail(second);
    return d.status === 'failed' ? d : undefined;
  }, 90_000);
  expect(failed.jobs.find((j) => j.kind === 'export')).toMatchObject({ state: 'dead', attempts: MAX_ATTEMPTS });
  expect(failed.reason).toBeTruthy();
  const metrics = await (await fetch(`${node.apiUrl}/metrics`, { headers: bearer('metrics') })).text();
  expect(metrics).toMatch(/gastric_ai_jobs_dead_total\{kind="export"\} 1/);
  expect(Number(/gastric_ai_export_failures_total\{destination="pacs"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(MAX_ATTEMPTS + 2);

  // The operator brings the PACS back and retries the dead-lettered study: its results are exported, not re-analysed.
  const retry = (uid: string) => fetch(`${node.apiUrl}/api/studies/${uid}/retry`, { method: 'POST', headers: bearer('operator') });
  expect((await retry(first)).status).toBe(409); // done, nothing to retry
  expect((await retry('1.2.3.4.5')).status).toBe(404);
  orthanc = await startOrthanc({ aet: 'PACS', httpPort });
  const answer = await retry(second);
  expect(answer.status).toBe(202);
  expect(await answer.json()).toEqual({ outcome: 'queued', kind: 'export' });
  await waitFor('the retried study done', async () => (await detail(second)).status === 'done', 60_000);
  const again = createDicomWebClient(orthanc.dicomWebUrl);
  const seriesAfter = (await again.searchForSeries({ studyInstanceUID: second })) as Array<Record<string, { Value?: unknown[] }>>;
  expect(seriesAfter.map((s) => String(jsonValue(s, '00080060')[0]))).toEqual(expect.arrayContaining(['SR', 'SEG']));
  expect((await detail(second)).jobs.filter((j) => j.kind === 'analyze')).toHaveLength(1);
});
