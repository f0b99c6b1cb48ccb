/**
 * Basic authentication against a real Orthanc with AuthenticationEnabled + RegisteredUsers. The launcher has no
 * option for users yet (and its readiness probe sends no credentials), so this suite renders the same template and
 * spawns Orthanc itself.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePart10 } from '../../src/dicom/io';
import { randomUid } from '../../src/dicom/uid';
import type { DicomWebAuth } from '../../src/dicomweb/client';
import type { ReceivedInstance } from '../../src/domain/instance';
import { createDicomWebPoller, createKeyValuePollerState } from '../../src/ingest/dicomweb';
import { silentLogger } from '../../src/logging/logger';
import { findFreePort } from '../../src/net/free-port';
import { exitPromise, killAndWait, track, type ExitInfo } from '../../src/orthanc/child-process';
import { renderTemplate } from '../../src/orthanc/config-template';
import { DEFAULT_DICOMWEB_PLUGIN, DEFAULT_ORTHANC_BINARY, findRepoAsset } from '../../src/orthanc/launcher';
import { Spool } from '../../src/store/spool';

const USER = 'gastric-node';
const PASSWORD = 'not-a-real-secret';
const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

let workDir: string;
let url: string;
let stopOrthanc: () => Promise<void> = async () => undefined;

async function startProtectedOrthanc(): Promise<void> {
  const [httpPort, dicomPort] = [await findFreePort(), await findFreePort()];
  const template = await readFile(findRepoAsset('orthanc/orthanc.template.json'), 'utf8');
  const config = JSON.parse(
    renderTemplate(template, {
      AET: 'PACS',
      HTTP_PORT: httpPort,
      DICOM_PORT: dicomPort,
      STORAGE_DIR: join(workDir, 'storage'),
      PLUGINS: [DEFAULT_DICOMWEB_PLUGIN],
      LUA_SCRIPTS: [],
      STABLE_AGE: 60,
      NODE_AET: undefined,
      NODE_HOST: undefined,
      NODE_PORT: undefined,
    }),
  ) as Record<string, unknown>;
  const configPath = join(workDir, 'orthanc.json');
  await writeFile(configPath, JSON.stringify({ ...config, AuthenticationEnabled: true, RegisteredUsers: { [USER]: PASSWORD } }));
  const child = spawn(DEFAULT_ORTHANC_BINARY, [configPath], { cwd: workDir, stdio: 'ignore' });
  track(child);
  const exited: Promise<ExitInfo> = exitPromise(child);
  stopOrthanc = () => killAndWait(child, exited);
  url = `http://127.0.0.1:${httpPort}`;
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const answer = await fetch(`${url}/system`, { headers: { Authorization: basic } }).catch(() => null);
    if (answer?.ok) return;
  }
  throw new Error('protected Orthanc did not start');
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'dicomweb-auth-'));
  await startProtectedOrthanc();
});
afterAll(async () => {
  await stopOrthanc();
  await rm(workDir, { recursive: true, force: true });
});

function pollerWith(auth: DicomWebAuth, received: ReceivedInstance[]) {
  return createDicomWebPoller({
    url: `${url}/dicom-web`,
    auth,
    schedule: '*/30 * * * * *',
    modalities: ['ES'],
    overlapMinutes: 60,
    pageSize: 10,
    spool: new Spool(join(workDir, `spool-${randomUid()}`)),
    sink: { accept: async (i) => void received.push(i) },
    state: createKeyValuePollerState({ store: new Map(), namespace: url }),
    logger: silentLogger,
  });
}

it('polls with basic auth, and reports a clear error with wrong or missing credentials', async () => {
  const study = randomUid();
  const now = new Date();
  const bytes = writePart10(
    {
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.77.1.1',
      SOPInstanceUID: randomUid(),
      StudyInstanceUID: study,
      SeriesInstanceUID: randomUid(),
      Modality: 'ES',
      StudyDate: `${now.getFullYear()}${String(now.getMonth() + 1).padStart(2, '0')}${String(now.getDate()).padStart(2, '0')}`,
    },
    '1.2.840.10008.1.2.1',
  );
  const stored = await fetch(`${url}/instances`, { method: 'POST', headers: { Authorization: basic }, body: bytes });
  expect(stored.status).toBe(200);

  const received: ReceivedInstance[] = [];
  const wrong = await pollerWith({ type: 'basic', username: USER, password: 'wrong' }, received).pollOnce();
  expect(wrong.ok).toBe(false);
  expect(wrong.error).toMatch(/HTTP 401 .*check the DICOMweb credentials/);
  expect(wrong.error).not.toContain('wrong');
  expect((await pollerWith({ type: 'none' }, received).pollOnce()).error).toMatch(/HTTP 401/);
  expect(received).toHaveLength(0);

  const right = await pollerWith({ type: 'basic', username: USER, password: PASSWORD }, received).pollOnce();
  expect(right).toMatchObject({ ok: true, studiesFetched: 1, instancesFetched: 1 });
  expect(received.map((i) => i.studyInstanceUid)).toEqual([study]);
});
