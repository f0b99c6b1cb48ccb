/**
 * A STOW destination URL with user:password@ (issue 12): the password is sent (Basic auth) but never shown: not in
 * the export job's last error, not in the study detail or /metrics of the API, not in any log line.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { createLogger } from '../../src/logging/logger';
import { findFreePort } from '../../src/net/free-port';
import { RunningNode, startNode } from '../../src/node/node';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { listDicomFiles } from '../../src/synth/files';
import { bearer } from '../helpers/api-auth';
import { REPO_ROOT } from '../helpers/cli';
import { nodeConfig, testModelsConfig, waitFor, writeTestModels } from '../helpers/node';

jest.setTimeout(120_000);

const PASSWORD = 'S3cr3t-pacs-pw';
let tmp: string;
let node: RunningNode;
let nodePort: number;
const lines: string[] = [];

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-'));
  const models = await writeTestModels(path.join(tmp, 'models'), ['ES']);
  const closedPort = await findFreePort();
  nodePort = await findFreePort();
  const config = nodeConfig({
    node: { dataDir: path.join(tmp, 'data') },
    ingest: { dimse: { host: '127.0.0.1', port: nodePort, minFreeDiskMb: 0, peers: [{ name: 'modality', aet: 'MODALITY', hosts: ['127.0.0.1'] }] } },
    assembler: { quietSeconds: 0.5 },
    queue: { backoffInitialSeconds: 0.2, backoffMaxSeconds: 0.5 },
    inference: { engine: 'onnx', threads: 1, batchSize: 4, models: testModelsConfig(models).inference.models },
    routing: testModelsConfig(models).routing,
    api: { port: 0 },
    export: { target: 'source', maxAttempts: 2, destinations: [{ name: 'pacs', type: 'stow', url: `http://pacsuser:${PASSWORD}@127.0.0.1:${closedPort}/dicom-web`, auth: { type: 'none' }, aet: 'MODALITY' }] },
  });
  node = await startNode(config, { baseDir: REPO_ROOT, logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }) });
});

afterAll(async () => {
  await node?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the password of a STOW URL is in no job error, API answer or log line', async () => {
  const out = path.join(tmp, 'synth');
  const summary = generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out, patients: 1, seed: 31, modalities: ['ES'], jpeg: false, normalFraction: 0, endoscopyImages: 2 });
  const study = summary.patients[0].studies[0];
  await promisify(execFile)('storescu', ['-aet', 'MODALITY', '-aec', 'GASTRIC_AI', '127.0.0.1', String(nodePort), ...listDicomFiles(path.join(out, study.folder))]);
  const detailText = await waitFor('the export dead-lettered', async () => {
    const text = await (await fetch(`${node.apiUrl}/api/studies/${study.studyInstanceUid}`, { headers: bearer('viewer') })).text();
    return (JSON.parse(text) as { status: string }).status === 'failed' ? text : undefined;
  }, 90_000);
  const detail = JSON.parse(detailText) as { reason: string; jobs: Array<{ kind: string; lastError: string | null }> };
  const exportJob = detail.jobs.find((j) => j.kind === 'export')!;
  // The error still says where it went, with the password masked.
  expect(exportJob.lastError).toContain(`http://pacsuser:***@127.0.0.1:`);
  expect(exportJob.lastError).toMatch(/ECONNREFUSED/);
  expect(detail.reason).toContain('pacsuser:***@');
  expect(detailText).not.toContain(PASSWORD);
  expect(await (await fetch(`${node.apiUrl}/api/worklist`, { headers: bearer('viewer') })).text()).not.toContain(PASSWORD);
  expect(await (await fetch(`${node.apiUrl}/metrics`, { headers: bearer('metrics') })).text()).not.toContain(PASSWORD);
  expect(lines.some((l) => l.includes('export failed'))).toBe(true);
  expect(lines.join('\n')).not.toContain(PASSWORD);
  // And the store holds only the masked text.
  const dbFiles = fs.readdirSync(path.join(tmp, 'data')).filter((f) => f.startsWith('node.sqlite'));
  expect(dbFiles.length).toBeGreaterThan(0);
  for (const f of dbFiles) expect(fs.readFileSync(path.join(tmp, 'data', f)).includes(Buffer.from(PASSWORD))).toBe(false);
});
