/**
 * The OHIF 3.13 viewer for end-to-end display tests: the prebuilt app (node_modules/@ohif/app/dist) served by express
 * with a generated app-config.js whose only data source is DICOMweb at /dicom-web on the same origin, proxied to a
 * harness Orthanc; and headless Chromium driven by playwright-core, with every request off that origin refused
 * (no telemetry, fonts or CDNs: the test runs offline).
 */
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import express from 'express';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { PNG } from 'pngjs';

export const OHIF_DIST = path.resolve(__dirname, '..', '..', 'node_modules', '@ohif', 'app', 'dist');
export const CHROMIUM = '/usr/bin/chromium';

/** app-config.js (OHIF's window.config) for a DICOMweb server at `${origin}/dicom-web`. */
export function ohifAppConfig(origin: string): string {
  const dicomWeb = `${origin}/dicom-web`;
  const config = {
    routerBasename: '/',
    extensions: [],
    modes: [],
    customizationService: {},
    showStudyList: true,
    maxNumberOfWebWorkers: 2,
    showWarningMessageForCrossOrigin: false,
    showCPUFallbackMessage: false,
    showLoadingIndicator: true,
    strictZSpacingForVolumeViewport: true,
    // SR tracking ("continue tracking?") and SEG hydration would otherwise wait for a click.
    disableConfirmationPrompts: true,
    investigationalUseDialog: { option: 'never' },
    showErrorDetails: 'always',
    defaultDataSourceName: 'dicomweb',
    dataSources: [
      {
        namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',
        sourceName: 'dicomweb',
        configuration: {
          friendlyName: 'Harness Orthanc',
          name: 'orthanc',
          wadoUriRoot: `${origin}/wado`,
          qidoRoot: dicomWeb,
          wadoRoot: dicomWeb,
          qidoSupportsIncludeField: true,
          supportsReject: false,
          imageRendering: 'wadors',
          thumbnailRendering: 'wadors',
          enableStudyLazyLoad: true,
          supportsFuzzyMatching: false,
          supportsWildcard: true,
          omitQuotationForMultipartRequest: true,
          bulkDataURI: { enabled: true },
        },
      },
    ],
  };
  // OHIF calls this for every failed image load (and throws without it): report it where the test collects errors.
  const httpErrorHandler = `(error) => console.error('OHIF image load failed:', String((error && (error.status || error.message)) || error))`;
  return `window.config = ${JSON.stringify(config, null, 2)};\nwindow.config.httpErrorHandler = ${httpErrorHandler};\n`;
}

export interface OhifServer {
  /** http://127.0.0.1:PORT */
  url: string;
  stop(): Promise<void>;
}

/** Serves OHIF and proxies /dicom-web (and /wado) to `orthancUrl` (http://127.0.0.1:PORT), keeping the Host header so
 * that the BulkDataURIs Orthanc writes point back at this origin. */
export async function startOhifServer(options: { orthancUrl: string }): Promise<OhifServer> {
  if (!fs.existsSync(path.join(OHIF_DIST, 'index.html'))) throw new Error(`OHIF is not installed at ${OHIF_DIST} (devDependency @ohif/app; run npm ci)`);
  const upstream = new URL(options.orthancUrl);
  const app = express();
  app.get('/app-config.js', (req, res) => {
    res.type('application/javascript').send(ohifAppConfig(`http://${req.get('host')}`));
  });
  const proxy = (req: express.Request, res: express.Response): void => {
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.originalUrl, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (err) => {
      if (!res.headersSent) res.status(502).send(`proxy: ${err.message}`);
      else res.destroy(err);
    });
    req.pipe(forward);
  };
  app.use('/dicom-web', proxy);
  app.use('/wado', proxy);
  app.use(express.static(OHIF_DIST, { index: false }));
  // A single-page app: /viewer?StudyInstanceUIDs=… and every other route is index.html.
  app.use((_req, res) => res.sendFile(path.join(OHIF_DIST, 'index.html')));

  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Viewer {
  browser: Browser;
  page: Page;
  /** Console errors and failed requests seen so far (for failure messages). */
  problems: string[];
  /** Requests the page tried to make outside its origin (refused). */
  offOrigin: string[];
  close(): Promise<void>;
}

/** Headless Chromium with one page that may only reach `origin`. */
export async function launchViewer(options: { origin: string; width?: number; height?: number }): Promise<Viewer> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // WebGL still works with --disable-gpu (SwiftShader), which cornerstone3D needs for SEG labelmaps.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: options.width ?? 1400, height: options.height ?? 900 } });
  const problems: string[] = [];
  const offOrigin: string[] = [];
  // The onboarding tour ("Scrolling Through Images…") would cover the viewport: mark it as already shown.
  await page.addInitScript(() =>
    (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage.setItem('shownTours', JSON.stringify(['basicViewerTour'])),
  );
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${options.origin}/`)) return route.continue();
    offOrigin.push(url.slice(0, 200));
    return route.abort('blockedbyclient');
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text().slice(0, 300)}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message.slice(0, 300)}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url().slice(0, 200)}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url().slice(0, 200)} ${r.failure()?.errorText ?? ''}`));
  return { browser, page, problems, offOrigin, close: () => browser.close() };
}

/** The viewer URL of a study, optionally opening one series first (OHIF's initialSeriesInstanceUID). */
export function viewerUrl(origin: string, studyInstanceUid: string, initialSeriesInstanceUid?: string): string {
  const query = new URLSearchParams({ StudyInstanceUIDs: studyInstanceUid });
  if (initialSeriesInstanceUid) query.set('initialSeriesInstanceUID', initialSeriesInstanceUid);
  return `${origin}/viewer?${query.toString()}`;
}

/** Where image pixel (0,0), (1,0) and (0,1) land on the viewport canvas (CSS pixels): an affine map for a 2D image. */
export interface CanvasMapping {
  origin: [number, number];
  xStep: [number, number];
  yStep: [number, number];
}

/**
 * How an overlay changed two screenshots of the same viewport (shown vs hidden): the share of sampled image pixels
 * whose colour changed, well inside the mask (its border blurred by interpolation left out) and well outside it.
 */
export function overlayChange(options: {
  shown: PNG;
  hidden: PNG;
  mapping: CanvasMapping;
  mask: (x: number, y: number) => boolean;
  width: number;
  height: number;
}): { inside: number; outside: number; insideSamples: number } {
  const { shown, hidden, mapping: m, width, height } = options;
  const canvasPixel = (x: number, y: number): number | null => {
    const [u, v] = [x + 0.5, y + 0.5]; // pixel centre
    const cx = Math.floor(m.origin[0] + u * (m.xStep[0] - m.origin[0]) + v * (m.yStep[0] - m.origin[0]));
    const cy = Math.floor(m.origin[1] + u * (m.xStep[1] - m.origin[1]) + v * (m.yStep[1] - m.origin[1]));
    return cx < 0 || cy < 0 || cx >= shown.width || cy >= shown.height ? null : (cy * shown.width + cx) * 4;
  };
  const changed = (x: number, y: number): boolean => {
    const i = canvasPixel(x, y);
    if (i === null) return false;
    const d = [0, 1, 2].reduce((sum, c) => sum + Math.abs(shown.data[i + c] - hidden.data[i + c]), 0);
    return d > 30;
  };
  const inMask = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < width && y < height && options.mask(x, y);
  const allAround = (x: number, y: number, r: number, want: boolean): boolean => {
    for (let dy = -r; dy <= r; dy += r) for (let dx = -r; dx <= r; dx += r) if (inMask(x + dx, y + dy) !== want) return false;
    return true;
  };
  const inside: boolean[] = [];
  const outside: boolean[] = [];
  for (let y = 0; y < height; y += 4)
    for (let x = 0; x < width; x += 4) {
      if (allAround(x, y, 6, true)) inside.push(changed(x, y));
      else if (allAround(x, y, 12, false)) outside.push(changed(x, y));
    }
  const share = (a: boolean[]): number => (a.length ? a.filter(Boolean).length / a.length : 0);
  return { inside: share(inside), outside: share(outside), insideSamples: inside.length };
}
