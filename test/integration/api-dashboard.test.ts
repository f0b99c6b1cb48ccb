/**
 * The dashboard in a real browser: headless Chromium loads / from the real app, runs its script, and dumps the DOM,
 * which must list the worklist ordered by priority with the data shown as text (never as markup).
 */
import { execFile } from 'child_process';
import { existsSync } from 'fs';
import { mkdtemp, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { createApp } from '../../src/api/app';
import { ApiServer, startApi } from '../../src/api/server';
import { deterministicUid } from '../../src/dicom/uid';
import { WorklistEntry } from '../../src/domain/study';
import { MetricsRegistry } from '../../src/metrics/registry';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

const entry = (n: number, over: Partial<WorklistEntry>): WorklistEntry => ({
  studyInstanceUid: deterministicUid('dashboard-test', n),
  status: 'done',
  priority: 'routine',
  cancerProbability: 0.05,
  stage: null,
  modalities: ['ES'],
  instanceCount: 4,
  receivedAt: '2026-11-26T10:00:00.000Z',
  analysedAt: '2026-11-26T10:05:00.000Z',
  reason: null,
  ...over,
});

// Deliberately not in triage order, to see the page order it.
const WORKLIST: WorklistEntry[] = [
  entry(1, { status: 'receiving', priority: null, cancerProbability: null, analysedAt: null }),
  entry(2, {}),
  entry(3, { priority: 'urgent', cancerProbability: 0.934, stage: 'III', modalities: ['CT', 'PT'] }),
  entry(4, { status: 'skipped', priority: null, cancerProbability: null, reason: '<img src=x onerror=alert(1)> not gastric' }),
  entry(5, { priority: 'suspicious', cancerProbability: 0.6 }),
  entry(6, { priority: 'urgent', cancerProbability: 0.81, stage: 'II' }),
];

(CHROMIUM ? describe : describe.skip)('dashboard in headless Chromium', () => {
  let server: ApiServer;
  let profile: string;

  beforeAll(async () => {
    profile = await mkdtemp(join(tmpdir(), 'dashboard-chromium-'));
    const app = createApp({ health: () => [], worklist: () => WORKLIST, studyDetail: () => null, metrics: new MetricsRegistry() });
    server = await startApi(app, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(profile, { recursive: true, force: true });
  });

  it('renders the worklist ordered by priority, urgent first, keeping the store order within a priority', async () => {
    const { stdout } = await promisify(execFile)(
      CHROMIUM!,
      ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`, '--virtual-time-budget=3000', '--dump-dom', `${server.url}/`],
      { timeout: 60000, maxBuffer: 10 * 1024 * 1024 },
    );
    const rows = [...stdout.matchAll(/<tr class="([a-z]+)" data-study-uid="([0-9.]+)">(.*?)<\/tr>/g)];
    expect(rows.map((r) => r[2])).toEqual([3, 6, 5, 2, 1, 4].map((n) => deterministicUid('dashboard-test', n)));
    expect(rows.map((r) => r[1])).toEqual(['urgent', 'urgent', 'suspicious', 'routine', 'pending', 'pending']);
    expect(rows[0][3]).toContain('<td class="priority">urgent</td>');
    expect(rows[0][3]).toContain('93.4 %');
    expect(rows[0][3]).toContain('CT, PT');
    // The reason went in as text: escaped in the DOM, no element created from it.
    expect(rows[5][3]).toContain('&lt;img src=x onerror=alert(1)&gt; not gastric');
    expect(stdout).not.toContain('<img');
    expect(stdout).toMatch(/6 studies, updated/);
  });
});
