/**
 * Starts a throw-away Orthanc (the PACS next to the node) for tests and the demo.
 *
 * The configuration is rendered from orthanc/orthanc.template.json (see orthanc/README.md for the placeholder
 * scheme), Orthanc is spawned on free ports with its own storage directory, and the promise resolves once
 * GET /system answers 200. Several instances can run at once (e.g. PACS + archive).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants, existsSync } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { findFreePort } from '../net/free-port';
import { exitPromise, ExitInfo, killAndWait, LineRing, track } from './child-process';
import { renderTemplate, TemplateValues } from './config-template';
import { useTlsForModality, withDicomTls, type OrthancDicomTls } from './dicom-tls';

export type { OrthancDicomTls } from './dicom-tls';

export const DEFAULT_ORTHANC_BINARY = '/usr/sbin/Orthanc';
export const DEFAULT_DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
/** Symbolic name of the node in Orthanc's DicomModalities; the Lua forwarder sends to it. */
export const NODE_MODALITY_NAME = 'gastric-ai';

const TEMPLATE_RELATIVE_PATH = join('orthanc', 'orthanc.template.json');
const FORWARDER_RELATIVE_PATH = join('orthanc', 'forward-to-node.lua');
const LOG_LINES_KEPT = 200;
const READY_TIMEOUT_MS = 20_000;
const READY_POLL_MS = 100;
const START_ATTEMPTS = 3;

/** A DICOM peer (AE title, host, port). */
export interface DicomPeer {
  aet: string;
  host: string;
  port: number;
  /** Orthanc sends to it over DICOM TLS ("UseDicomTls"; needs `dicomTls`). */
  useDicomTls?: boolean;
}

export interface OrthancOptions {
  /** Orthanc's own AE title (default 'ORTHANC'). */
  aet?: string;
  /** Seconds without new instances before a study is "stable" (default 60, Orthanc's default). */
  stableAgeSeconds?: number;
  /** The node: adds it to DicomModalities as "gastric-ai" and loads the Lua forwarder. */
  forwardTo?: DicomPeer;
  /** DICOM TLS on Orthanc's DICOM port (then TLS only) and towards modalities with useDicomTls. */
  dicomTls?: OrthancDicomTls;
  /** Storage + index directory; default a fresh temporary directory removed by stop(). */
  storageDir?: string;
  /** Keep the default temporary storage directory after stop(). */
  keepStorage?: boolean;
  /** Orthanc executable (default /usr/sbin/Orthanc, Debian package "orthanc"). */
  binary?: string;
  /** DICOMweb plugin (default the Debian "orthanc-dicomweb" path). */
  dicomwebPlugin?: string;
  /** Fixed ports (default: free ports chosen at start). */
  httpPort?: number;
  dicomPort?: number;
  /** How long to wait for GET /system (default 20 s). */
  readyTimeoutMs?: number;
}

export interface OrthancProcess {
  aet: string;
  httpPort: number;
  dicomPort: number;
  /** http://127.0.0.1:PORT */
  url: string;
  /** url + '/dicom-web' */
  dicomWebUrl: string;
  storageDir: string;
  /** Last ~200 lines Orthanc wrote on stdout/stderr. */
  log(): string;
  /** SIGKILL, wait for exit, remove the temporary directories. Safe to call twice. */
  stop(): Promise<void>;
}

/* ------------------------------------------------------------------------------------------------ */
/* Prerequisites and assets                                                                         */
/* ------------------------------------------------------------------------------------------------ */

async function isReadable(path: string, mode: number): Promise<boolean> {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** Rejects with an actionable message when Orthanc or its DICOMweb plugin is not installed. */
export async function checkOrthancInstalled(binary: string, dicomwebPlugin: string): Promise<void> {
  if (!(await isReadable(binary, fsConstants.X_OK))) {
    throw new Error(
      `Orthanc executable not found (or not executable) at ${binary}. ` +
        'Install the Debian package: `sudo apt-get install orthanc`, or run `scripts/setup.sh`.',
    );
  }
  if (!(await isReadable(dicomwebPlugin, fsConstants.R_OK))) {
    throw new Error(
      `Orthanc DICOMweb plugin not found at ${dicomwebPlugin}. ` +
        'Install the Debian package: `sudo apt-get install orthanc-dicomweb`, or run `scripts/setup.sh`.',
    );
  }
}

/** Finds a repository file (orthanc/…) by walking up from this module (works from src/ and dist/). */
export function findRepoAsset(relativePath: string, startDir: string = __dirname): string {
  let dir = resolve(startDir);
  for (;;) {
    const candidate = join(dir, relativePath);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${relativePath} above ${startDir}`);
    dir = parent;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The part of GET /system used to recognise our own Orthanc. */
interface SystemInfo {
  DicomAet?: string;
  DicomPort?: number;
  HttpPort?: number;
}

/**
 * True when GET /system answers 200 *from this instance*: a port taken by another Orthanc (a race on a "free"
 * port) also answers 200 there while ours is still failing to bind, so the answer must name our DICOM port/AET.
 */
async function answersSystem(url: string, expected: Required<SystemInfo>): Promise<boolean> {
  try {
    const response = await fetch(`${url}/system`, { signal: AbortSignal.timeout(2000) });
    if (response.status !== 200) {
      await response.arrayBuffer();
      return false;
    }
    const system = (await response.json()) as SystemInfo;
    return (
      system.DicomAet === expected.DicomAet &&
      system.DicomPort === expected.DicomPort &&
      system.HttpPort === expected.HttpPort
    );
  } catch {
    return false;
  }
}

class EarlyExitError extends Error {
  constructor(
    readonly exit: ExitInfo,
    readonly logText: string,
  ) {
    super(
      `Orthanc exited before it was ready (exit code ${exit.code ?? 'none'}` +
        `${exit.signal ? `, signal ${exit.signal}` : ''}). Last log lines:\n${logText}`,
    );
  }
}

/** Resolves when GET /system answers 200; rejects on early exit or timeout. */
async function waitUntilReady(
  url: string,
  expected: Required<SystemInfo>,
  exited: Promise<ExitInfo>,
  ring: LineRing,
  timeoutMs: number,
): Promise<void> {
  let exit: ExitInfo | undefined;
  void exited.then((info) => (exit = info));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit) throw new EarlyExitError(exit, ring.text());
    if (await answersSystem(url, expected)) return;
    await sleep(READY_POLL_MS);
  }
  if (exit) throw new EarlyExitError(exit, ring.text());
  throw new Error(
    `Orthanc did not answer ${url}/system (as ${expected.DicomAet}, DICOM port ${expected.DicomPort}) within ` +
      `${timeoutMs} ms. Last log lines:\n${ring.text()}`,
  );
}

/* ------------------------------------------------------------------------------------------------ */
/* startOrthanc                                                                                     */
/* ------------------------------------------------------------------------------------------------ */

interface Directories {
  workDir: string;
  storageDir: string;
  ownsStorage: boolean;
}

async function prepareDirectories(options: OrthancOptions): Promise<Directories> {
  const workDir = await mkdtemp(join(tmpdir(), 'gastric-ai-orthanc-'));
  if (options.storageDir) {
    await mkdir(options.storageDir, { recursive: true });
    return { workDir, storageDir: resolve(options.storageDir), ownsStorage: false };
  }
  const storageDir = await mkdtemp(join(tmpdir(), 'gastric-ai-orthanc-storage-'));
  return { workDir, storageDir, ownsStorage: true };
}

async function removeDirectories(dirs: Directories, keepStorage: boolean): Promise<void> {
  await rm(dirs.workDir, { recursive: true, force: true });
  if (dirs.ownsStorage && !keepStorage) await rm(dirs.storageDir, { recursive: true, force: true });
}

interface Ports {
  httpPort: number;
  dicomPort: number;
}

async function choosePorts(options: OrthancOptions): Promise<Ports> {
  const httpPort = options.httpPort ?? (await findFreePort());
  let dicomPort = options.dicomPort ?? (await findFreePort());
  while (dicomPort === httpPort) dicomPort = await findFreePort();
  return { httpPort, dicomPort };
}

function templateValues(
  options: OrthancOptions,
  aet: string,
  ports: Ports,
  storageDir: string,
  dicomwebPlugin: string,
): TemplateValues {
  const node = options.forwardTo;
  return {
    AET: aet,
    HTTP_PORT: ports.httpPort,
    DICOM_PORT: ports.dicomPort,
    STORAGE_DIR: storageDir,
    PLUGINS: [dicomwebPlugin],
    LUA_SCRIPTS: node ? [findRepoAsset(FORWARDER_RELATIVE_PATH)] : [],
    STABLE_AGE: options.stableAgeSeconds ?? 60,
    NODE_AET: node?.aet,
    NODE_HOST: node?.host,
    NODE_PORT: node?.port,
  };
}

/** Applies OrthancOptions.dicomTls and forwardTo.useDicomTls to a rendered configuration. */
function withTls(rendered: string, options: OrthancOptions): string {
  if (!options.dicomTls) {
    if (options.forwardTo?.useDicomTls) throw new Error('forwardTo.useDicomTls needs dicomTls (Orthanc\'s certificate, key and trusted CAs)');
    return rendered;
  }
  let config = withDicomTls(JSON.parse(rendered) as Record<string, unknown>, options.dicomTls);
  if (options.forwardTo?.useDicomTls) config = useTlsForModality(config, NODE_MODALITY_NAME);
  return JSON.stringify(config, null, 2) + '\n';
}

interface Running {
  child: ChildProcess;
  exited: Promise<ExitInfo>;
  ring: LineRing;
}

function spawnOrthanc(binary: string, configPath: string, cwd: string): Running {
  const ring = new LineRing(LOG_LINES_KEPT);
  const child = spawn(binary, [configPath], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  child.stdout?.on('data', (chunk: Buffer) => ring.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => ring.push(chunk));
  child.on('error', (err: Error) => ring.push(`spawn error: ${err.message}\n`));
  return { child, exited: exitPromise(child), ring };
}

/** One start attempt on given ports; on failure the process is killed and the error rethrown. */
async function startOnce(
  options: OrthancOptions,
  binary: string,
  dicomwebPlugin: string,
  aet: string,
  dirs: Directories,
): Promise<{ running: Running; ports: Ports }> {
  const ports = await choosePorts(options);
  const templateText = await readFile(findRepoAsset(TEMPLATE_RELATIVE_PATH), 'utf8');
  const config = withTls(renderTemplate(templateText, templateValues(options, aet, ports, dirs.storageDir, dicomwebPlugin)), options);
  const configPath = join(dirs.workDir, 'orthanc.json');
  await writeFile(configPath, config);

  const running = spawnOrthanc(binary, configPath, dirs.workDir);
  const url = `http://127.0.0.1:${ports.httpPort}`;
  try {
    const expected = { DicomAet: aet, DicomPort: ports.dicomPort, HttpPort: ports.httpPort };
    await waitUntilReady(url, expected, running.exited, running.ring, options.readyTimeoutMs ?? READY_TIMEOUT_MS);
    return { running, ports };
  } catch (err) {
    await killAndWait(running.child, running.exited);
    throw err;
  }
}

/** An early exit on auto-chosen ports is most likely a port race with another process: try again. */
function isRetryable(err: unknown, options: OrthancOptions): boolean {
  return err instanceof EarlyExitError && options.httpPort === undefined && options.dicomPort === undefined;
}

export async function startOrthanc(options: OrthancOptions = {}): Promise<OrthancProcess> {
  const binary = options.binary ?? DEFAULT_ORTHANC_BINARY;
  const dicomwebPlugin = options.dicomwebPlugin ?? DEFAULT_DICOMWEB_PLUGIN;
  const aet = options.aet ?? 'ORTHANC';
  await checkOrthancInstalled(binary, dicomwebPlugin);

  const dirs = await prepareDirectories(options);
  for (let attempt = 1; ; attempt++) {
    try {
      const { running, ports } = await startOnce(options, binary, dicomwebPlugin, aet, dirs);
      return makeHandle(aet, ports, dirs, running, options.keepStorage ?? false);
    } catch (err) {
      if (attempt < START_ATTEMPTS && isRetryable(err, options)) continue;
      await removeDirectories(dirs, options.keepStorage ?? false);
      throw err;
    }
  }
}

function makeHandle(
  aet: string,
  ports: Ports,
  dirs: Directories,
  running: Running,
  keepStorage: boolean,
): OrthancProcess {
  const url = `http://127.0.0.1:${ports.httpPort}`;
  let stopping: Promise<void> | undefined;
  return {
    aet,
    httpPort: ports.httpPort,
    dicomPort: ports.dicomPort,
    url,
    dicomWebUrl: `${url}/dicom-web`,
    storageDir: dirs.storageDir,
    log: (): string => running.ring.text(),
    stop: (): Promise<void> => {
      stopping ??= killAndWait(running.child, running.exited).then(() => removeDirectories(dirs, keepStorage));
      return stopping;
    },
  };
}
