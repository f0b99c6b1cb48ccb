/**
 * The DICOMweb poller against a real Orthanc 1.10 + DICOMweb 1.7: QIDO-RS with a StudyDate watermark, WADO-RS into
 * the spool, seen-study signatures, our own AI series skipped, late-archived studies, a study given up after repeated
 * failures, paging, a PACS that goes down, cron scheduling.
 */
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePart10 } from '../../src/dicom/io';
import { randomUid } from '../../src/dicom/uid';
import type { InstanceSink, ReceivedInstance } from '../../src/domain/instance';
import { createDicomWebPoller, createKeyValuePollerState, type DicomWebPollerOptions } from '../../src/ingest/dicomweb';
import { createLogger, silentLogger } from '../../src/logging/logger';
import { Spool } from '../../src/store/spool';
import { startOrthanc, uploadFile, type OrthancProcess } from '../helpers/orthanc';

const VL_ENDOSCOPIC = '1.2.840.10008.5.1.4.1.1.77.1.1';
const COMPREHENSIVE_SR = '1.2.840.10008.5.1.4.1.1.88.33';
const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';

/** Local calendar date as DICOM DA (the poller queries local dates). */
function localDa(d: Date): string {
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

interface InstanceSpec {
  study: string;
  series: string;
  modality?: string;
  seriesDescription?: string;
  studyDate?: string;
}

/** A tiny synthetic instance (2×2 RGB image, or an SR header) with the attributes QIDO-RS indexes. */
function instanceBytes(spec: InstanceSpec): Buffer {
  const modality = spec.modality ?? 'ES';
  const common = {
    SOPInstanceUID: randomUid(),
    StudyInstanceUID: spec.study,
    SeriesInstanceUID: spec.series,
    Modality: modality,
    StudyDate: spec.studyDate ?? localDa(new Date()),
    StudyTime: '091500',
    StudyDescription: 'Gastroscopy - synthetic',
    SeriesDescription: spec.seriesDescription ?? 'EGD stills',
    BodyPartExamined: 'STOMACH',
    PatientName: 'Synthetic^Patient',
    PatientID: 'SYN-1',
  };
  if (modality === 'SR') return writePart10({ ...common, SOPClassUID: COMPREHENSIVE_SR }, '1.2.840.10008.1.2.1');
  return writePart10(
    {
      ...common,
      SOPClassUID: modality === 'CT' ? CT_IMAGE : VL_ENDOSCOPIC,
      Rows: 2,
      Columns: 2,
      SamplesPerPixel: 3,
      PhotometricInterpretation: 'RGB',
      PlanarConfiguration: 0,
      BitsAllocated: 8,
      BitsStored: 8,
      HighBit: 7,
      PixelRepresentation: 0,
      PixelData: [new Uint8Array(12).fill(128).buffer],
      _vrMap: { PixelData: 'OB' },
    },
    '1.2.840.10008.1.2.1',
  );
}

class CollectingSink implements InstanceSink {
  readonly received: ReceivedInstance[] = [];
  failStudy: string | null = null;
  refused = 0;
  delayMs = 0;
  active = 0;
  maxActive = 0;
  async accept(instance: ReceivedInstance): Promise<void> {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
      if (instance.studyInstanceUid === this.failStudy) {
        this.refused++;
        throw new Error('store unavailable');
      }
      this.received.push(instance);
    } finally {
      this.active--;
    }
  }
  ofStudy(study: string): ReceivedInstance[] {
    return this.received.filter((i) => i.studyInstanceUid === study);
  }
}

let workDir: string;
let counter = 0;

async function upload(orthanc: OrthancProcess, spec: InstanceSpec, copies = 1): Promise<void> {
  for (let i = 0; i < copies; i++) {
    const file = join(workDir, `upload-${counter++}.dcm`);
    await writeFile(file, instanceBytes(spec));
    await uploadFile(orthanc, file);
  }
}

/** An ES study with `instances` stills in one series. */
async function uploadStudy(orthanc: OrthancProcess, instances: number, extra: Partial<InstanceSpec> = {}): Promise<{ study: string; series: string }> {
  const ids = { study: randomUid(), series: randomUid() };
  await upload(orthanc, { ...ids, ...extra }, instances);
  return ids;
}

interface Harness {
  spool: Spool;
  sink: CollectingSink;
  kv: Map<string, string>;
  options: DicomWebPollerOptions;
}

function harness(url: string, overrides: Partial<DicomWebPollerOptions> = {}): Harness {
  const spool = new Spool(join(workDir, `spool-${counter++}`));
  const sink = new CollectingSink();
  const kv = new Map<string, string>();
  const options: DicomWebPollerOptions = {
    url,
    auth: { type: 'none' },
    schedule: '*/30 * * * * *',
    modalities: ['ES'],
    overlapMinutes: 60,
    pageSize: 100,
    spool,
    sink,
    state: createKeyValuePollerState({ store: kv, namespace: url }),
    logger: silentLogger,
    requestTimeoutMs: 5000,
    ...overrides,
  };
  return { spool, sink, kv, options };
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'dicomweb-poller-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('DICOMweb poller against Orthanc', () => {
  let orthanc: OrthancProcess;
  beforeEach(async () => {
    orthanc = await startOrthanc({ aet: 'PACS' });
  });
  afterEach(async () => {
    await orthanc.stop();
  });

  it('fetches a new ES study into the spool and the sink, and does not fetch it again', async () => {
    const fresh = await uploadStudy(orthanc, 3);
    const old = await uploadStudy(orthanc, 1, { studyDate: '20200101' });
    const ct = await uploadStudy(orthanc, 1, { modality: 'CT', seriesDescription: 'Abdomen' });
    const h = harness(orthanc.dicomWebUrl);
    const poller = createDicomWebPoller(h.options);

    const first = await poller.pollOnce();
    expect(first).toMatchObject({ ok: true, error: null, studiesMatched: 1, studiesFetched: 1, instancesFetched: 3 });
    expect(h.spool.studyFiles(fresh.study)).toHaveLength(3);
    expect(h.spool.studyFiles(old.study)).toHaveLength(0); // before the watermark's StudyDate range
    expect(h.spool.studyFiles(ct.study)).toHaveLength(0); // not a wanted modality
    expect(h.sink.received).toHaveLength(3);
    for (const instance of h.sink.received) {
      expect(instance).toMatchObject({
        studyInstanceUid: fresh.study,
        seriesInstanceUid: fresh.series,
        sopClassUid: VL_ENDOSCOPIC,
        transferSyntaxUid: '1.2.840.10008.1.2.1',
        modality: 'ES',
        bodyPartExamined: 'STOMACH',
        seriesDescription: 'EGD stills',
        source: 'dicomweb',
        callingAet: null,
        sourceUrl: orthanc.dicomWebUrl,
      });
      expect(existsSync(instance.path)).toBe(true);
      expect(h.spool.studyFiles(fresh.study)).toContain(instance.path);
    }
    expect(first.watermark).toEqual(first.startedAt);
    expect(poller.status()).toMatchObject({ name: 'dicomweb-poller', status: 'up', polling: false });

    const second = await poller.pollOnce();
    expect(second).toMatchObject({ ok: true, studiesMatched: 1, studiesUnchanged: 1, studiesFetched: 0, instancesFetched: 0 });
    expect(h.sink.received).toHaveLength(3);

    // The state survives a new poller over the same key-value store (a restart).
    const restarted = createDicomWebPoller({ ...h.options });
    expect(await restarted.pollOnce()).toMatchObject({ studiesUnchanged: 1, instancesFetched: 0 });
  });

  it('fetches a study again when it grows, never our own AI series, and retries a study that failed', async () => {
    const { study, series } = await uploadStudy(orthanc, 2);
    const h = harness(orthanc.dicomWebUrl);
    const poller = createDicomWebPoller(h.options);
    expect(await poller.pollOnce()).toMatchObject({ studiesFetched: 1, instancesFetched: 2 });

    // Our results written back: an AI SR and an AI overlay whose Modality is ES (only the description tells).
    await upload(orthanc, { study, series: randomUid(), modality: 'SR', seriesDescription: 'AI gastric findings - not for clinical use' });
    await upload(orthanc, { study, series: randomUid(), seriesDescription: 'AI overlay - not for clinical use' }, 2);
    const afterResults = await poller.pollOnce();
    expect(afterResults).toMatchObject({ studiesFetched: 1, seriesSkipped: 2, seriesFetched: 0, instancesFetched: 0 });
    expect(h.sink.received.every((i) => !i.seriesDescription.startsWith('AI '))).toBe(true);

    // One more still in the original series: that series comes again, the store refuses it once.
    await upload(orthanc, { study, series });
    h.sink.failStudy = study;
    const failed = await poller.pollOnce();
    expect(failed).toMatchObject({ ok: true, studiesFetched: 0, studiesFailed: [study] });
    expect(failed.watermark).toEqual(afterResults.watermark); // held back
    expect(poller.status().status).toBe('degraded');

    h.sink.failStudy = null;
    const retried = await poller.pollOnce();
    expect(retried).toMatchObject({ studiesFetched: 1, seriesFetched: 1, instancesFetched: 3, studiesFailed: [] });
    expect(h.spool.studyFiles(study)).toHaveLength(3);
    expect(new Set(h.sink.ofStudy(study).map((i) => i.sopInstanceUid)).size).toBe(3);
    expect(poller.status().status).toBe('up');
    expect(await poller.pollOnce()).toMatchObject({ studiesUnchanged: 1, instancesFetched: 0 });
  });

  it('finds a study archived after midnight that carries the previous day\'s StudyDate', async () => {
    const today = new Date();
    const day = (offset: number): Date => new Date(today.getFullYear(), today.getMonth(), today.getDate() + offset);
    const late = await uploadStudy(orthanc, 1, { studyDate: localDa(day(-1)) }); // done 23:50, archived 00:20
    const older = await uploadStudy(orthanc, 1, { studyDate: localDa(day(-2)) });
    // No overlap at all, and the last poll ran at 00:01 today: the previous day is still asked for.
    const h = harness(orthanc.dicomWebUrl, { overlapMinutes: 0 });
    h.options.state.setWatermark(new Date(today.getFullYear(), today.getMonth(), today.getDate(), 0, 1));
    const report = await createDicomWebPoller(h.options).pollOnce();
    expect(report).toMatchObject({ ok: true, studiesMatched: 1, studiesFetched: 1, instancesFetched: 1 });
    expect(h.spool.studyFiles(late.study)).toHaveLength(1);
    expect(h.spool.studyFiles(older.study)).toHaveLength(0);
  });

  it('gives up a study that fails every poll, lets the watermark advance, and tries it again once it changes', async () => {
    const bad = await uploadStudy(orthanc, 2);
    const good = await uploadStudy(orthanc, 1);
    const lines: string[] = [];
    const h = harness(orthanc.dicomWebUrl, { maxStudyFailures: 2, logger: createLogger({ level: 'warn', write: (l) => lines.push(l) }) });
    h.sink.failStudy = bad.study;
    const poller = createDicomWebPoller(h.options);

    const first = await poller.pollOnce();
    expect(first).toMatchObject({ ok: true, studiesFetched: 1, studiesFailed: [bad.study], studiesGivenUp: [], watermark: null });
    const second = await poller.pollOnce();
    expect(second).toMatchObject({ ok: true, studiesFetched: 0, studiesUnchanged: 1, studiesFailed: [], studiesGivenUp: [bad.study] });
    expect(second.watermark).toEqual(second.startedAt); // no longer held back
    expect(poller.status().status).toBe('degraded');
    const warning = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l.msg).startsWith('study given up'));
    expect(warning).toMatchObject({ level: 'warn', studyInstanceUid: bad.study, failures: 2 });
    expect(lines.join('\n')).not.toMatch(/Synthetic|SYN-1/);

    // Given up is persisted: a restarted poller does not download it again.
    const refused = h.sink.refused;
    const restarted = createDicomWebPoller({ ...h.options });
    const third = await restarted.pollOnce();
    expect(third).toMatchObject({ studiesUnchanged: 1, studiesSkippedGivenUp: 1, studiesFailed: [], studiesGivenUp: [], instancesFetched: 0 });
    expect(third.watermark).toEqual(third.startedAt);
    expect(h.sink.refused).toBe(refused);
    expect(restarted.status().status).toBe('up');

    // The study grows (and the store works again): it is fetched.
    await upload(orthanc, { ...bad });
    h.sink.failStudy = null;
    const fourth = await restarted.pollOnce();
    expect(fourth).toMatchObject({ studiesFetched: 1, studiesSkippedGivenUp: 0, instancesFetched: 3 });
    expect(h.spool.studyFiles(bad.study)).toHaveLength(3);
    expect(h.spool.studyFiles(good.study)).toHaveLength(1);
    expect(await restarted.pollOnce()).toMatchObject({ studiesUnchanged: 2, studiesSkippedGivenUp: 0, instancesFetched: 0 });
  });

  it('pages through studies and instances one at a time', async () => {
    const studies = [await uploadStudy(orthanc, 1), await uploadStudy(orthanc, 2), await uploadStudy(orthanc, 3)];
    // pageSize 1 for QIDO; wholeSeriesMaxInstances 0 makes every series go instance by instance (paged QIDO too).
    const h = harness(orthanc.dicomWebUrl, { pageSize: 1, wholeSeriesMaxInstances: 0 });
    const report = await createDicomWebPoller(h.options).pollOnce();
    expect(report).toMatchObject({ ok: true, studiesMatched: 3, studiesFetched: 3, instancesFetched: 6 });
    studies.forEach(({ study }, i) => expect(h.spool.studyFiles(study)).toHaveLength(i + 1));
  });

  it('can filter ModalitiesInStudy on the server, one query per modality', async () => {
    const es = await uploadStudy(orthanc, 1);
    const ct = await uploadStudy(orthanc, 1, { modality: 'CT', seriesDescription: 'Abdomen' });
    await uploadStudy(orthanc, 1, { modality: 'MR', seriesDescription: 'Other' });
    const h = harness(orthanc.dicomWebUrl, { modalities: ['ES', 'CT'], queryModalitiesInStudy: true });
    const report = await createDicomWebPoller(h.options).pollOnce();
    expect(report).toMatchObject({ ok: true, studiesMatched: 2, studiesFetched: 2, instancesFetched: 2 });
    expect(new Set(h.sink.received.map((i) => i.studyInstanceUid))).toEqual(new Set([es.study, ct.study]));
  });

  it('schedules polls with node-cron and never runs two at once', async () => {
    await uploadStudy(orthanc, 2);
    const h = harness(orthanc.dicomWebUrl, { schedule: '* * * * * *' });
    h.sink.delayMs = 1200; // a poll takes > 2 s: at least one tick finds it running
    const poller = createDicomWebPoller(h.options);
    poller.start();
    try {
      const deadline = Date.now() + 15_000;
      while ((h.sink.received.length < 2 || poller.status().skippedTicks < 1) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(poller.status()).toMatchObject({ scheduled: true });
    } finally {
      await poller.stop();
    }
    expect(h.sink.received).toHaveLength(2);
    expect(poller.status().skippedTicks).toBeGreaterThanOrEqual(1);
    expect(h.sink.maxActive).toBe(1);
    expect(poller.status()).toMatchObject({ scheduled: false, polling: false, status: 'up' });
    expect(() => createDicomWebPoller({ ...h.options, schedule: 'every minute' })).toThrow(/invalid cron schedule/);
  });
});

describe('DICOMweb poller when the PACS is down', () => {
  it('reports the error without throwing, changes nothing, and recovers when the PACS is back', async () => {
    const storageDir = join(workDir, 'pacs-storage');
    let orthanc = await startOrthanc({ aet: 'PACS', storageDir });
    try {
      const { study } = await uploadStudy(orthanc, 2);
      const h = harness(orthanc.dicomWebUrl);
      const poller = createDicomWebPoller(h.options);
      await orthanc.stop();

      const down = await poller.pollOnce();
      expect(down.ok).toBe(false);
      expect(down.error).toMatch(/QIDO-RS studies: no answer from http:\/\/127\.0\.0\.1:\d+\/dicom-web/);
      expect(down.watermark).toBeNull();
      expect(poller.status()).toMatchObject({ status: 'down', polling: false });
      expect(h.kv.size).toBe(0);
      expect(h.sink.received).toHaveLength(0);

      // The same PACS (port and storage) comes back.
      orthanc = await startOrthanc({ aet: 'PACS', storageDir, httpPort: orthanc.httpPort });
      const up = await poller.pollOnce();
      expect(up).toMatchObject({ ok: true, studiesFetched: 1, instancesFetched: 2 });
      expect(h.spool.studyFiles(study)).toHaveLength(2);
      expect(poller.status().status).toBe('up');
    } finally {
      await orthanc.stop();
    }
  });

  it('gives up on a PACS that accepts connections but never answers (request timeout)', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const { port } = silent.address() as AddressInfo;
      const h = harness(`http://127.0.0.1:${port}/dicom-web`, { requestTimeoutMs: 300 });
      const started = Date.now();
      const report = await createDicomWebPoller(h.options).pollOnce();
      expect(report.ok).toBe(false);
      expect(report.error).toMatch(/no answer from .* timed out/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => silent.close(r));
    }
  });
});
