/**
 * The real express app on a free port, read with fetch over loopback. ApiDeps is our own interface, so the test
 * builds it from plain data (no store needed to exercise the routes).
 */
import { createHash } from 'crypto';
import { createApp } from '../../src/api/app';
import { ApiDeps, ComponentHealth } from '../../src/api/deps';
import { ApiErrorBody } from '../../src/api/errors';
import { ApiServer, startApi } from '../../src/api/server';
import { deterministicUid } from '../../src/dicom/uid';
import { StudyDetail, WorklistEntry } from '../../src/domain/study';
import { createLogger } from '../../src/logging/logger';
import { createNodeMetrics } from '../../src/metrics/node-metrics';
import { bearer, testAuthenticator } from '../helpers/api-auth';

const uid = (n: number) => deterministicUid('api-test', n);

function entry(n: number, over: Partial<WorklistEntry>): WorklistEntry {
  return {
    studyInstanceUid: uid(n),
    status: 'done',
    priority: 'routine',
    cancerProbability: 0.1,
    stage: null,
    modalities: ['ES'],
    instanceCount: 12,
    receivedAt: `2026-11-26T10:0${n}:00.000Z`,
    analysedAt: `2026-11-26T10:1${n}:00.000Z`,
    reason: null,
    ...over,
  };
}

const WORKLIST: WorklistEntry[] = [
  entry(1, { priority: 'urgent', cancerProbability: 0.93, stage: 'III' }),
  entry(2, { priority: 'suspicious', cancerProbability: 0.61, stage: 'I', modalities: ['CT', 'PT'] }),
  entry(3, {}),
  entry(4, { status: 'receiving', priority: null, cancerProbability: null, analysedAt: null }),
];

const DETAIL: StudyDetail = {
  ...WORKLIST[0],
  analysis: null,
  results: [{ kind: 'SR', sopClassUid: '1.2.840.10008.5.1.4.1.1.88.33', sopInstanceUid: uid(100), seriesInstanceUid: uid(101), path: '/spool/x.dcm' }],
  jobs: [],
  exported: true,
};

/** The `code` of our JSON error body. */
const errorCode = async (res: Response): Promise<string> => ((await res.json()) as ApiErrorBody).error.code;

class StoreBusyError extends Error {
  override name = 'SqliteError';
  code = 'SQLITE_BUSY';
}

interface TestDeps extends ApiDeps {
  components: ComponentHealth[];
  failWith?: Error;
}

function plainDeps(): TestDeps {
  const metrics = createNodeMetrics({ queueDepth: () => ({ queued: 2 }) });
  metrics.instancesReceived.inc({ source: 'dicomweb' }, 5);
  const deps: TestDeps = {
    components: [
      { name: 'dimse-scp', status: 'up' },
      { name: 'dicomweb-poller', status: 'disabled' },
    ],
    health: () => deps.components,
    worklist: () => WORKLIST,
    studyDetail: async (studyUid) => {
      if (deps.failWith) throw deps.failWith;
      return studyUid === DETAIL.studyInstanceUid ? DETAIL : null;
    },
    metrics: metrics.registry,
    auth: testAuthenticator(),
  };
  return deps;
}

describe('HTTP API (express app on a free port)', () => {
  let server: ApiServer;
  let deps: TestDeps;
  const logLines: string[] = [];

  beforeAll(async () => {
    deps = plainDeps();
    deps.logger = createLogger({ write: (l) => logLines.push(l) });
    server = await startApi(createApp(deps), { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => server.stop());

  /** With a token for the route's role (the routes' access is test/integration/api-auth.test.ts's subject). */
  const get = (path: string) => fetch(`${server.url}${path}`, { headers: bearer(path === '/metrics' ? 'metrics' : 'viewer') });

  it('listens on the port the OS chose and reports its url', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('GET /api/health: 200 when every enabled component is up (disabled ones do not count), 503 when one is down; /health says only up or down', async () => {
    const up = await get('/api/health');
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'up', components: deps.components });

    deps.components = [...deps.components, { name: 'export', status: 'down', detail: 'PACS refused association' }];
    const open = await fetch(`${server.url}/health`);
    expect(open.status).toBe(503);
    expect(await open.json()).toEqual({ status: 'down' });
    const down = await get('/api/health');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({
      status: 'down',
      components: [
        { name: 'dimse-scp', status: 'up' },
        { name: 'dicomweb-poller', status: 'disabled' },
        { name: 'export', status: 'down', detail: 'PACS refused association' },
      ],
    });
    deps.components = deps.components.slice(0, 2);
  });

  it('GET /metrics: Prometheus text 0.0.4 with the node metrics', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE gastric_ai_instances_received_total counter\n');
    expect(text).toContain('gastric_ai_instances_received_total{source="dicomweb"} 5\n');
    expect(text).toContain('gastric_ai_queue_depth{state="queued"} 2\n');
    expect(text).toContain('gastric_ai_job_duration_seconds');
  });

  it('GET /api/worklist: the entries as the store ordered them, not cached', async () => {
    const res = await get('/api/worklist');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual(WORKLIST);
  });

  it('GET /api/studies/:studyUid: the detail, 404 JSON when unknown, 400 when not a UID', async () => {
    const found = await get(`/api/studies/${DETAIL.studyInstanceUid}`);
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual(DETAIL);

    const unknown = await get(`/api/studies/${uid(999)}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: 'not-found', message: `no study with Study Instance UID ${uid(999)}` } });

    for (const bad of ['1.2.03', 'abc', '1..2', `1.${'2'.repeat(70)}`, encodeURIComponent('1.2 ')]) {
      const res = await get(`/api/studies/${bad}`);
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe('bad-request');
    }
  });

  it('maps errors through the one error handler: busy store 503 with Retry-After, anything else 500 without internals', async () => {
    deps.failWith = new StoreBusyError('database is locked');
    const busy = await get(`/api/studies/${uid(1)}`);
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('5');
    expect(await errorCode(busy)).toBe('unavailable');

    deps.failWith = new TypeError('secret internal detail');
    const broken = await get(`/api/studies/${uid(1)}`);
    expect(broken.status).toBe(500);
    const body = await broken.json();
    expect(body).toEqual({ error: { code: 'internal-error', message: 'internal error' } });
    expect(logLines.some((l) => JSON.parse(l).message === 'secret internal detail')).toBe(true);
    deps.failWith = undefined;

    // Malformed percent-encoding is refused by express itself: a client error, still JSON.
    const malformed = await get('/api/studies/%E0%A4%A');
    expect(malformed.status).toBe(400);
    expect(await errorCode(malformed)).toBe('bad-request');
  });

  it('answers unknown routes and methods with JSON 404', async () => {
    for (const [method, path] of [['GET', '/nope'], ['GET', '/api/worklist/'], ['POST', '/api/worklist']]) {
      const res = await fetch(`${server.url}${path}`, { method, headers: bearer('admin') });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await errorCode(res)).toBe('not-found');
    }
  });

  it('serves the dashboard page and its script with a CSP that allows only our own script', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(page.headers.get('x-powered-by')).toBeNull();
    const html = await page.text();
    expect(html).toContain('<table id="worklist">');
    expect(html).toContain('not for clinical use');
    // The inline style is allowed by its hash (CSP Level 2), so the hash must be of exactly what the page holds.
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    const hash = createHash('sha256').update(style).digest('base64');
    expect(page.headers.get('content-security-policy')).toContain(`style-src 'sha256-${hash}'`);
    const script = await get('/dashboard.js');
    expect(script.headers.get('content-type')).toMatch(/^application\/javascript/);
    const js = await script.text();
    expect(js).toContain("api('/api/worklist')");
    expect(js).toContain("authorization: 'Bearer ' + token()");
  });
});

describe('startApi', () => {
  it('stops even with an idle keep-alive connection open, and twice is harmless', async () => {
    const server = await startApi(createApp(plainDeps()), { host: '127.0.0.1', port: 0 });
    const res = await fetch(`${server.url}/health`);
    await res.text();
    const started = Date.now();
    await server.stop();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(1500);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});
