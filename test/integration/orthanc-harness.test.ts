/**
 * Real Orthanc 1.10.1 (Debian) + dcmtk: the launcher, several instances at once, and the Lua forwarder.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort } from '../../src/net/free-port';
import { renderTemplate } from '../../src/orthanc/config-template';
import { findRepoAsset } from '../../src/orthanc/launcher';
import { qidoStudies, startOrthanc, uploadFile, type OrthancProcess } from '../helpers/orthanc';

const run = promisify(execFile);
const CT_DIR = '/work/shared/data/dicom/dcmqi/segmentations/ct-3slice';
const CT_SLICES = ['01.dcm', '02.dcm', '03.dcm'].map((f) => join(CT_DIR, f));
const NODE_AET = 'NODEAE';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function pollUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

async function echo(aet: string, port: number): Promise<boolean> {
  try {
    await run('echoscu', ['-aet', 'HARNESS', '-aec', aet, '127.0.0.1', String(port)], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

async function tag(path: string, tagKey: string): Promise<string> {
  const { stdout } = await run('dcmdump', ['-q', '+P', tagKey, path]);
  const match = /\[([^\]]*)\]/.exec(stdout);
  if (!match) throw new Error(`no ${tagKey} in ${path}: ${stdout}`);
  return match[1];
}

async function systemOf(orthanc: OrthancProcess): Promise<{ DicomAet: string; HttpPort: number; DicomPort: number }> {
  const response = await fetch(`${orthanc.url}/system`);
  expect(response.status).toBe(200);
  return (await response.json()) as { DicomAet: string; HttpPort: number; DicomPort: number };
}

describe('orthanc template', () => {
  const values = {
    AET: 'PACS',
    HTTP_PORT: 8042,
    DICOM_PORT: 4242,
    STORAGE_DIR: '/tmp/x "quoted"',
    PLUGINS: ['/p.so'],
    LUA_SCRIPTS: [],
    STABLE_AGE: 5,
  };

  it('renders typed values and drops the node modality when no node is given', async () => {
    const text = await readFile(findRepoAsset('orthanc/orthanc.template.json'), 'utf8');
    const config = JSON.parse(
      renderTemplate(text, { ...values, NODE_AET: undefined, NODE_HOST: undefined, NODE_PORT: undefined }),
    );
    expect(config.HttpPort).toBe(8042);
    expect(config.StorageDirectory).toBe('/tmp/x "quoted"');
    expect(config.Plugins).toEqual(['/p.so']);
    expect(config.StableAge).toBe(5);
    expect(config.DicomModalities).toEqual({});
    expect(config.DicomWeb).toMatchObject({ Enable: true, Root: '/dicom-web/' });
    expect(JSON.stringify(config)).not.toContain('${');
  });

  it('adds the node as "gastric-ai" when given, and rejects unknown placeholders', async () => {
    const text = await readFile(findRepoAsset('orthanc/orthanc.template.json'), 'utf8');
    const config = JSON.parse(renderTemplate(text, { ...values, NODE_AET: 'N', NODE_HOST: 'h', NODE_PORT: 11112 }));
    expect(config.DicomModalities).toEqual({ 'gastric-ai': ['N', 'h', 11112] });
    expect(() => renderTemplate('{"a": "${NOPE}"}', {})).toThrow(/unknown placeholder/);
  });
});

describe('orthanc launcher', () => {
  it('runs two instances at once on distinct ports, each answering /system, QIDO and C-ECHO', async () => {
    const [pacs, archive] = await Promise.all([startOrthanc({ aet: 'PACS' }), startOrthanc({ aet: 'ARCHIVE' })]);
    try {
      expect(new Set([pacs.httpPort, pacs.dicomPort, archive.httpPort, archive.dicomPort]).size).toBe(4);
      expect(pacs.storageDir).not.toBe(archive.storageDir);
      for (const orthanc of [pacs, archive]) {
        const system = await systemOf(orthanc);
        expect(system).toMatchObject({ DicomAet: orthanc.aet, HttpPort: orthanc.httpPort, DicomPort: orthanc.dicomPort });
        expect(orthanc.dicomWebUrl).toBe(`${orthanc.url}/dicom-web`);
        expect(await qidoStudies(orthanc)).toEqual([]);
        expect(await echo(orthanc.aet, orthanc.dicomPort)).toBe(true);
      }
      expect(pacs.log()).toContain('Orthanc has started');
    } finally {
      await Promise.all([pacs.stop(), archive.stop()]);
    }
    await expect(readdir(pacs.storageDir)).rejects.toThrow(/ENOENT/);
  });

  it('does not mistake another Orthanc on its HTTP port for itself, and reports the exit with the log', async () => {
    const first = await startOrthanc({ aet: 'FIRST' });
    try {
      const second = startOrthanc({ aet: 'SECOND', httpPort: first.httpPort });
      await expect(second).rejects.toThrow(/exited before it was ready \(exit code \d+\)[\s\S]*HTTP server/);
      expect((await systemOf(first)).DicomAet).toBe('FIRST');
    } finally {
      await first.stop();
    }
  });

  it('explains how to install Orthanc when the binary is missing', async () => {
    const attempt = startOrthanc({ binary: '/nonexistent/Orthanc' });
    await expect(attempt).rejects.toThrow(/apt-get install orthanc`/);
    await expect(startOrthanc({ binary: '/nonexistent/Orthanc' })).rejects.toThrow(/scripts\/setup\.sh/);
    await expect(startOrthanc({ dicomwebPlugin: '/nonexistent/libOrthancDicomWeb.so' })).rejects.toThrow(
      /apt-get install orthanc-dicomweb/,
    );
  });
});

describe('forward-to-node.lua', () => {
  let workDir = '';
  let receivedDir = '';
  let storescp: ChildProcess | undefined;
  let storescpLog = '';
  let orthanc: OrthancProcess | undefined;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'orthanc-forward-test-'));
    receivedDir = join(workDir, 'received');
    await mkdir(receivedDir);
    const nodePort = await findFreePort();
    storescp = spawn('storescp', ['-aet', NODE_AET, '--output-directory', receivedDir, String(nodePort)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    storescp.stdout?.on('data', (c: Buffer) => (storescpLog += c.toString()));
    storescp.stderr?.on('data', (c: Buffer) => (storescpLog += c.toString()));
    await pollUntil('storescp to answer C-ECHO', 10_000, async () => ((await echo(NODE_AET, nodePort)) ? true : undefined));
    orthanc = await startOrthanc({
      aet: 'PACS',
      stableAgeSeconds: 1,
      forwardTo: { aet: NODE_AET, host: '127.0.0.1', port: nodePort },
    });
  });

  afterAll(async () => {
    if (storescp && storescp.exitCode === null) {
      const exited = new Promise((r) => storescp?.once('exit', r));
      storescp.kill('SIGKILL');
      await exited;
    }
    await orthanc?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('sends the original series of a stable study to the node and skips the AI result series', async () => {
    const pacs = orthanc as OrthancProcess;
    const aiCopy = join(workDir, 'ai-result.dcm');
    await copyFile(CT_SLICES[0], aiCopy);
    await chmod(aiCopy, 0o644); // the shared test data is read-only
    await run('dcmodify', [
      '-nb', '-gse', '-gin',
      '-i', '(0008,0005)=ISO_IR 192',
      '-i', '(0008,103e)=AI result — not for clinical use',
      aiCopy,
    ]);
    const originalUids = await Promise.all(CT_SLICES.map((p) => tag(p, '0008,0018')));
    const aiUid = await tag(aiCopy, '0008,0018');
    expect(originalUids).not.toContain(aiUid);
    expect(await tag(aiCopy, '0020,000d')).toBe(await tag(CT_SLICES[0], '0020,000d'));

    for (const file of [...CT_SLICES, aiCopy]) await uploadFile(pacs, file);
    const studies = await qidoStudies(pacs);
    expect(studies).toHaveLength(1);

    // The forwarder logs "OK" only after the synchronous C-STORE completed (files written by storescp).
    await pollUntil('the forwarder to report success', 15_000, async () =>
      pacs.log().includes('[forward-to-node] OK') ? true : undefined,
    );
    expect(pacs.log()).toMatch(/\[forward-to-node\] OK: study [0-9a-f-]+: sent 1 series to "gastric-ai" \(1 AI result series skipped\)/);
    expect(pacs.log()).not.toContain('JANCT000'); // no patient names in the forwarder's log lines

    const files = await readdir(receivedDir);
    const received = await Promise.all(files.map((f) => tag(join(receivedDir, f), '0008,0018')));
    expect(new Set(received)).toEqual(new Set(originalUids));
    expect(received).toHaveLength(3);
    expect(received).not.toContain(aiUid);
  });

  it('does not forward the study again when only the node\'s results are stored back into it', async () => {
    const pacs = orthanc as OrthancProcess;
    const segCopy = join(workDir, 'ai-seg.dcm');
    await copyFile(CT_SLICES[1], segCopy);
    await chmod(segCopy, 0o644);
    await run('dcmodify', ['-nb', '-gse', '-gin', '-i', '(0008,103e)=AI: SEG gastric lesion', segCopy]);
    await uploadFile(pacs, segCopy); // the study becomes unstable, then stable again

    await pollUntil('the forwarder to see nothing new', 15_000, async () =>
      pacs.log().includes('nothing new since the last forward (2 AI result series skipped)') ? true : undefined,
    );
    expect(pacs.log().match(/\[forward-to-node\] OK/g)).toHaveLength(1);
    expect(await readdir(receivedDir)).toHaveLength(3);
  });
});

describe('forward-to-node.lua when the node is down', () => {
  it('logs a clear failure line (study ID and series count) and keeps Orthanc running', async () => {
    const closedPort = await findFreePort(); // nothing listens there
    const pacs = await startOrthanc({
      aet: 'PACS',
      stableAgeSeconds: 1,
      forwardTo: { aet: NODE_AET, host: '127.0.0.1', port: closedPort },
    });
    try {
      for (const file of CT_SLICES) await uploadFile(pacs, file);
      await pollUntil('the forwarder to report failure', 15_000, async () =>
        pacs.log().includes('[forward-to-node] FAILED') ? true : undefined,
      );
      expect(pacs.log()).toMatch(/\[forward-to-node\] FAILED: study [0-9a-f-]+: C-STORE of 1 series/);
      expect((await systemOf(pacs)).DicomAet).toBe('PACS');
    } finally {
      await pacs.stop();
    }
  });
});
