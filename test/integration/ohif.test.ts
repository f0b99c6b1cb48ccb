/**
 * OHIF 3.13 end to end: a synthetic endoscopy study (JPEG) and our SR, SEG and SC results in a harness Orthanc, shown
 * by the prebuilt OHIF viewer in headless Chromium. Checks what a radiologist would see: the SEG drawn over the
 * endoscopy image (pixels of the segmented region change colour when the overlay is shown), the SR's finding in the
 * measurement panel, and the SC overlay series opening. Screenshots go to test-artifacts/ohif/.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { ImageMap } from '../../src/domain/analysis';
import { storeByStow } from '../../src/export/stow';
import { buildResultObjects, ResultObject, writeResultObjects } from '../../src/results/build';
import { launchViewer, OhifServer, overlayChange, startOhifServer, Viewer, viewerUrl } from '../helpers/ohif';
import { OrthancProcess, startOrthanc, uploadFile } from '../helpers/orthanc';
import { syntheticResultInput } from '../helpers/result-input';

jest.setTimeout(120_000);

const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'ohif');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ohif-e2e-'));
let orthanc: OrthancProcess;
let server: OhifServer;
let viewer: Viewer;
let studyInstanceUid: string;
let objects: ResultObject[];
let maps: ImageMap[];

const seriesOf = (kind: ResultObject['kind']): string => objects.find((o) => o.kind === kind)!.seriesInstanceUid;

/** The page's OHIF services and cornerstone, as far as these tests use them. */
interface OhifWindow {
  services: {
    viewportGridService: { getActiveViewportId(): string };
    cornerstoneViewportService: { getCornerstoneViewport(id: string): CornerstoneViewport | undefined };
    segmentationService: {
      getSegmentations(): Array<{ segmentationId: string }>;
      getSegmentationRepresentations(viewportId: string, filter: { segmentationId: string }): unknown[];
      toggleSegmentationRepresentationVisibility(viewportId: string, options: { segmentationId: string; type: string }): void;
    };
    measurementService: { getMeasurements(): unknown[] };
  };
  cornerstone: { utilities: { imageToWorldCoords(imageId: string, point: [number, number]): number[] } };
}
interface CornerstoneViewport {
  getCurrentImageId(): string | undefined;
  worldToCanvas(world: number[]): [number, number];
  render(): void;
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  for (const name of fs.readdirSync(ARTIFACTS)) if (name.startsWith('failed-')) fs.rmSync(path.join(ARTIFACTS, name));
  const input = syntheticResultInput({ modality: 'ES', positive: true, jpeg: true, dir: tmp });
  studyInstanceUid = input.analysis.studyInstanceUid;
  maps = input.maps;
  objects = await buildResultObjects(input, { secondaryCapture: true });
  const files = writeResultObjects(objects, path.join(tmp, 'results'));
  orthanc = await startOrthanc({ aet: 'PACS' });
  for (const file of input.files) await uploadFile(orthanc, file);
  await storeByStow({ url: orthanc.dicomWebUrl }, files);
  server = await startOhifServer({ orthancUrl: orthanc.url });
  viewer = await launchViewer({ origin: server.url });
});

afterAll(async () => {
  await viewer?.close();
  await server?.stop();
  await orthanc?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Fails with what the page reported (console errors, failed requests) when `wait` times out. */
async function orThrow<T>(what: string, wait: Promise<T>): Promise<T> {
  try {
    return await wait;
  } catch (err) {
    await viewer.page.screenshot({ path: path.join(ARTIFACTS, `failed-${what.replace(/\W+/g, '-')}.png`) });
    throw new Error(`${what}: ${(err as Error).message.split('\n')[0]}\npage problems:\n${viewer.problems.slice(0, 15).join('\n')}`);
  }
}

/** Screenshot of the active viewport's canvas, decoded. */
async function viewportPicture(name: string): Promise<PNG> {
  const bytes = await viewer.page.locator('[data-cy="viewport-pane"] canvas').first().screenshot({ path: path.join(ARTIFACTS, name) });
  return PNG.sync.read(bytes);
}

/** Waits until the browser has painted twice (a cornerstone render is drawn on the next animation frame). */
const painted = (): Promise<void> =>
  viewer.page.evaluate(() => {
    const { requestAnimationFrame: frame } = globalThis as unknown as { requestAnimationFrame(callback: () => void): number };
    return new Promise<void>((resolve) => frame(() => frame(() => resolve())));
  });

test('(a) the SEG is drawn over the endoscopy image: the segmented pixels change colour, the others do not', async () => {
  const { page } = viewer;
  await page.goto(viewerUrl(server.url, studyInstanceUid, seriesOf('SEG')));
  const sopInstanceUid = await orThrow(
    'SEG shown on its source image',
    page.waitForFunction(
      () => {
        try {
          const w = globalThis as unknown as OhifWindow;
          const id = w.services.viewportGridService.getActiveViewportId();
          const imageId = w.services.cornerstoneViewportService.getCornerstoneViewport(id)?.getCurrentImageId();
          const segmentation = w.services.segmentationService.getSegmentations()[0];
          // The labelmap is on this viewport (not only loaded) once it has a representation there.
          if (!imageId || !segmentation || w.services.segmentationService.getSegmentationRepresentations(id, segmentation).length === 0) return null;
          return /\/instances\/([0-9.]+)\//.exec(imageId)?.[1] ?? null;
        } catch {
          return null; // services still starting
        }
      },
      null,
      { timeout: 60_000, polling: 250 },
    ),
  ).then((h) => h.jsonValue() as Promise<string>);
  const map = maps.find((m) => m.sopInstanceUid === sopInstanceUid);
  expect(map).toBeDefined(); // OHIF opened the SEG on an image it segments
  await painted();
  const withSeg = await viewportPicture('seg-shown.png');

  // The same viewport with the segmentation hidden, and where image pixels land on the canvas (an affine map).
  const mapping = await page.evaluate(() => {
    const w = globalThis as unknown as OhifWindow;
    const id = w.services.viewportGridService.getActiveViewportId();
    const viewport = w.services.cornerstoneViewportService.getCornerstoneViewport(id)!;
    const { segmentationId } = w.services.segmentationService.getSegmentations()[0];
    w.services.segmentationService.toggleSegmentationRepresentationVisibility(id, { segmentationId, type: 'Labelmap' });
    viewport.render();
    const imageId = viewport.getCurrentImageId()!;
    const toCanvas = (x: number, y: number): [number, number] => viewport.worldToCanvas(w.cornerstone.utilities.imageToWorldCoords(imageId, [x, y]));
    return { origin: toCanvas(0, 0), xStep: toCanvas(1, 0), yStep: toCanvas(0, 1) };
  });
  await painted();
  const withoutSeg = await viewportPicture('seg-hidden.png');

  const mask = (x: number, y: number): boolean => map!.probability[y * map!.width + x] >= 0.5;
  const change = overlayChange({ shown: withSeg, hidden: withoutSeg, mapping, mask, width: map!.width, height: map!.height });
  expect(change.insideSamples).toBeGreaterThan(20);
  expect(change.inside).toBeGreaterThan(0.9);
  expect(change.outside).toBeLessThan(0.02);
});

test('(b) the SR finding is tracked and listed: "Malignant tumor of stomach" in the measurement panel', async () => {
  const { page } = viewer;
  const findings = objects.filter((o) => o.kind === 'SC').length; // one SC per finding
  await page.goto(viewerUrl(server.url, studyInstanceUid, seriesOf('SR')));
  try {
    await page.waitForFunction(
      (n) => {
        try {
          return (globalThis as unknown as OhifWindow).services.measurementService.getMeasurements().length >= n;
        } catch {
          return false; // services still starting
        }
      },
      findings,
      { timeout: 30_000, polling: 250 },
    );
  } catch {
    await page.screenshot({ path: path.join(ARTIFACTS, 'failed-sr.png') });
    // OHIF leaves an SR whose content it cannot parse unloaded (a black viewport, nothing tracked); say which.
    const sr = await page.evaluate(() =>
      (globalThis as unknown as { services: { displaySetService: { getActiveDisplaySets(): Array<{ Modality: string; isLoaded?: boolean; measurements?: unknown[] | null }> } } }).services.displaySetService
        .getActiveDisplaySets()
        .filter((d) => d.Modality === 'SR')
        .map((d) => ({ isLoaded: d.isLoaded ?? false, measurements: d.measurements?.length ?? null })),
    );
    throw new Error(`OHIF tracked no SR measurement within 30 s; SR display sets: ${JSON.stringify(sr)}\npage problems:\n${viewer.problems.slice(0, 15).join('\n')}`);
  }
  await page.locator('[data-cy="trackedMeasurements-btn"]').click();
  await orThrow('finding listed', page.getByText('Malignant tumor of stomach').first().waitFor({ timeout: 20_000 }));
  const panel = await page.locator('body').innerText();
  expect(panel.match(/Malignant tumor of stomach/g)?.length).toBeGreaterThanOrEqual(findings);
  expect(panel).toMatch(/Stomach/);
  await painted();
  await page.screenshot({ path: path.join(ARTIFACTS, 'sr-tracked.png') });
});

test('(c) the SC overlay series opens in the viewport', async () => {
  const { page } = viewer;
  const overlays = objects.filter((o) => o.kind === 'SC').map((o) => o.sopInstanceUid);
  await page.goto(viewerUrl(server.url, studyInstanceUid, seriesOf('SC')));
  await orThrow(
    'SC shown',
    page.waitForFunction(
      (uids) => {
        try {
          const w = globalThis as unknown as OhifWindow;
          const id = w.services.viewportGridService.getActiveViewportId();
          const imageId = w.services.cornerstoneViewportService.getCornerstoneViewport(id)?.getCurrentImageId();
          return imageId !== undefined && uids.some((uid) => imageId.includes(uid));
        } catch {
          return false; // services still starting
        }
      },
      overlays,
      { timeout: 60_000, polling: 250 },
    ),
  );
  await painted();
  const picture = await viewportPicture('sc-shown.png');
  // The overlay is drawn: a good share of the canvas is neither black nor one flat colour.
  let lit = 0;
  for (let i = 0; i < picture.data.length; i += 4) if (picture.data[i] + picture.data[i + 1] + picture.data[i + 2] > 60) lit++;
  expect(lit / (picture.width * picture.height)).toBeGreaterThan(0.2);
  expect(await page.locator('[data-cy="viewport-pane"]').innerText()).not.toMatch(/error/i);
});

test('(d) the viewer asked for nothing outside its own origin (no telemetry, CDN or font requests)', () => {
  expect(viewer.offOrigin).toEqual([]);
});
