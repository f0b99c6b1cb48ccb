/**
 * The dashboard in a real browser: headless Chromium (playwright-core) loads / from the real app; the page asks for
 * the API token, keeps it in sessionStorage and sends it as a bearer token; then it must list the worklist ordered
 * by priority with the data shown as text (never as markup), and no cookie is ever set.
 */
import { existsSync } from 'fs';
import { chromium, type Browser } from 'playwright-core';
import { createApp } from '../../src/api/app';
import { ApiServer, startApi } from '../../src/api/server';
import { deterministicUid } from '../../src/dicom/uid';
import { WorklistEntry } from '../../src/domain/study';
import { MetricsRegistry } from '../../src/metrics/registry';
import { TEST_TOKENS, testAuthenticator } from '../helpers/api-auth';

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
  let browser: Browser;

  beforeAll(async () => {
    const app = createApp({ health: () => [], worklist: () => WORKLIST, studyDetail: () => null, metrics: new MetricsRegistry(), auth: testAuthenticator() });
    server = await startApi(app, { host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('asks for the token, refuses a wrong one, then renders the worklist ordered by priority', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && !/401/.test(m.text()) && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${server.url}/`);
    await page.waitForSelector('#login:not([hidden])');
    expect(await page.textContent('#state')).toMatch(/enter an API token/);
    expect(await page.$$('#worklist tbody tr')).toHaveLength(0);

    await page.fill('#token', 'not-a-valid-token-but-long-enough-to-look-real');
    await page.click('#login button');
    await page.waitForFunction("/not accepted/.test(document.getElementById('state').textContent)");
    expect(await page.evaluate('sessionStorage.length')).toBe(0);

    await page.fill('#token', TEST_TOKENS.viewer);
    await page.click('#login button');
    await page.waitForFunction("/6 studies, updated/.test(document.getElementById('state').textContent)");
    const html = await page.content();
    const rows = [...html.matchAll(/<tr class="([a-z]+)" data-study-uid="([0-9.]+)">(.*?)<\/tr>/g)];
    expect(rows.map((r) => r[2])).toEqual([3, 6, 5, 2, 1, 4].map((n) => deterministicUid('dashboard-test', n)));
    expect(rows.map((r) => r[1])).toEqual(['urgent', 'urgent', 'suspicious', 'routine', 'pending', 'pending']);
    expect(rows[0][3]).toContain('<td class="priority">urgent</td>');
    expect(rows[0][3]).toContain('93.4 %');
    expect(rows[0][3]).toContain('CT, PT');
    // The reason went in as text: escaped in the DOM, no element created from it.
    expect(rows[5][3]).toContain('&lt;img src=x onerror=alert(1)&gt; not gastric');
    expect(html).not.toContain('<img');
    // The token lives in this tab's sessionStorage only: no cookie, nothing in the page.
    expect(await context.cookies()).toEqual([]);
    expect(html).not.toContain(TEST_TOKENS.viewer);
    expect(problems).toEqual([]);
    await context.close();
  });
});
