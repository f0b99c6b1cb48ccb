/** Pure parts of the DICOMweb poller: query dates, DICOM JSON summaries, selection, paging, state, errors, auth. */
import { writePart10 } from '../../src/dicom/io';
import { authHeaders } from '../../src/dicomweb/client';
import { createDicomWebPoller, createKeyValuePollerState, type DicomWebPollerOptions } from '../../src/ingest/dicomweb';
import { seriesSummary, studyDateRange, studySummary, type DicomJsonObject } from '../../src/ingest/dicomweb/dicom-json';
import { fetchSeries, RefusedInstanceError } from '../../src/ingest/dicomweb/fetch-series';
import { readInstanceHeader } from '../../src/ingest/dicomweb/instance-header';
import { InvalidIdentityError } from '../../src/ingest/instance-identity';
import type { ReceivedInstance } from '../../src/domain/instance';
import { isResultSeries } from '../../src/domain/result-series';
import { decideSeries, isWantedStudy, studySignature } from '../../src/ingest/dicomweb/selection';
import { describeFailure, displayUrl, searchAllPages, type DicomWebService } from '../../src/ingest/dicomweb/service';
import { silentLogger } from '../../src/logging/logger';
import { Spool } from '../../src/store/spool';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const study = (uid: string, extra: DicomJsonObject = {}): DicomJsonObject => ({ '0020000D': { vr: 'UI', Value: [uid] }, ...extra });

describe('studyDateRange', () => {
  it('always starts at least one whole calendar day before the watermark\'s local date', () => {
    expect(studyDateRange(new Date(2026, 10, 26, 12, 0), 60)).toBe('20261125-');
    expect(studyDateRange(new Date(2026, 10, 26, 23, 59), 0)).toBe('20261125-');
    // across a month and a year boundary
    expect(studyDateRange(new Date(2026, 11, 1, 0, 30), 60)).toBe('20261130-');
    expect(studyDateRange(new Date(2027, 0, 1, 0, 0), 1)).toBe('20261231-');
  });

  it('asks for day D in the first poll of D+1, so a study done at 23:50 on D and archived at 00:20 is found', () => {
    // The poll at 00:21 on D+1 has the watermark of the previous poll (00:20 on D+1, or later).
    expect(studyDateRange(new Date(2026, 10, 27, 0, 20), 10)).toBe('20261126-');
    expect(studyDateRange(new Date(2026, 10, 27, 0, 20), 0)).toBe('20261126-');
  });

  it('looks further back when the overlap reaches beyond the previous day', () => {
    expect(studyDateRange(new Date(2026, 10, 26, 0, 30), 1440)).toBe('20261125-');
    expect(studyDateRange(new Date(2026, 10, 26, 0, 30), 1500)).toBe('20261124-');
    expect(studyDateRange(new Date(2026, 10, 26, 12, 0), 3 * 1440)).toBe('20261123-');
  });
});

describe('DICOM JSON summaries', () => {
  it('reads study fields, accepting IS as number or string and missing attributes', () => {
    expect(
      studySummary(study('1.2.3', { '00080061': { vr: 'CS', Value: ['ES', 'SR'] }, '00201208': { vr: 'IS', Value: [' 12 '] } })),
    ).toEqual({ studyInstanceUid: '1.2.3', studyDate: null, modalitiesInStudy: ['ES', 'SR'], instanceCount: 12 });
    expect(studySummary(study('1.2.3', { '00201208': { vr: 'IS', Value: [7] } })).instanceCount).toBe(7);
    expect(studySummary(study('1.2.3'))).toMatchObject({ modalitiesInStudy: null, instanceCount: null });
    expect(() => studySummary({})).toThrow(/StudyInstanceUID/);
  });

  it('reads series fields', () => {
    const obj: DicomJsonObject = {
      '0020000E': { vr: 'UI', Value: ['1.2.4'] },
      '00080060': { vr: 'CS', Value: ['ES'] },
      '0008103E': { vr: 'LO', Value: ['AI overlay'] },
      '00201209': { vr: 'IS', Value: [3] },
    };
    expect(seriesSummary(obj)).toEqual({ seriesInstanceUid: '1.2.4', modality: 'ES', seriesDescription: 'AI overlay', instanceCount: 3 });
    expect(seriesSummary({ '0020000E': { vr: 'UI', Value: ['1.2.5'] } })).toEqual({
      seriesInstanceUid: '1.2.5',
      modality: '',
      seriesDescription: '',
      instanceCount: null,
    });
  });
});

describe('selection', () => {
  it('keeps studies with a wanted modality, or with none reported', () => {
    const s = (m: string[] | null) => ({ studyInstanceUid: '1', studyDate: null, modalitiesInStudy: m, instanceCount: 1 });
    expect(isWantedStudy(s(['CT', 'PT']), ['pt'])).toBe(true);
    expect(isWantedStudy(s(['MR']), ['ES', 'CT'])).toBe(false);
    expect(isWantedStudy(s(null), ['ES'])).toBe(true);
    expect(studySignature(s(null))).toBe('1');
    expect(studySignature({ ...s(null), instanceCount: null })).toBeNull();
  });

  it('skips our own results, other modalities and unchanged series', () => {
    const series = (modality: string, seriesDescription: string) => ({ seriesInstanceUid: '1', modality, seriesDescription, instanceCount: 1 });
    const base = { modalities: ['ES', 'CT'], isOwnSeries: isResultSeries, seen: false };
    expect(decideSeries({ ...base, series: series('ES', 'EGD stills') })).toBe('fetch');
    expect(decideSeries({ ...base, series: series('ES', 'AI overlay - not for clinical use') })).toBe('own-result');
    expect(decideSeries({ ...base, series: series('SR', 'Radiologist report') })).toBe('other-modality');
    expect(decideSeries({ ...base, seen: true, series: series('CT', 'Abdomen') })).toBe('unchanged');
    expect(isResultSeries('AIRWAY')).toBe(false);
  });
});

describe('searchAllPages', () => {
  const uids = (objs: DicomJsonObject[]): string[] => objs.map((o) => studySummary(o).studyInstanceUid);
  const key = (o: DicomJsonObject): string => studySummary(o).studyInstanceUid;

  it('follows limit/offset until a short page and de-duplicates unsorted answers', async () => {
    const all = ['5', '3', '9', '1', '7'].map((u) => study(u));
    const asked: string[] = [];
    const found = await searchAllPages(
      async ({ limit, offset }) => {
        asked.push(`${limit}@${offset}`);
        // a result that moved between pages (a new study) shows up twice
        return offset === 2 ? [all[1], ...all.slice(offset, offset + limit - 1)] : all.slice(offset, offset + limit);
      },
      key,
      2,
    );
    expect(asked).toEqual(['2@0', '2@2', '2@4']);
    expect(uids(found)).toEqual(['5', '3', '9', '7']);
  });

  it('takes a page longer than the limit as everything, and refuses a server that ignores offset', async () => {
    expect(uids(await searchAllPages(async () => [study('1'), study('2'), study('3')], key, 2))).toEqual(['1', '2', '3']);
    await expect(searchAllPages(async () => [study('1'), study('2')], key, 2)).rejects.toThrow(/ignores offset/);
    await expect(searchAllPages(async () => [], key, 0)).rejects.toThrow(/pageSize/);
  });
});

describe('key-value poller state', () => {
  it('keeps the watermark and signatures per namespace', () => {
    const kv = new Map<string, string>();
    const a = createKeyValuePollerState({ store: kv, namespace: 'http://a/dicom-web' });
    const b = createKeyValuePollerState({ store: kv, namespace: 'http://b/dicom-web' });
    expect(a.getWatermark()).toBeNull();
    a.setWatermark(new Date('2026-11-26T10:00:00Z'));
    expect(a.getWatermark()).toEqual(new Date('2026-11-26T10:00:00Z'));
    expect(b.getWatermark()).toBeNull();
    a.markStudySeen('1.2', '3');
    expect(a.hasSeenStudy('1.2', '3')).toBe(true);
    expect(a.hasSeenStudy('1.2', '4')).toBe(false);
    expect(b.hasSeenStudy('1.2', '3')).toBe(false);
    a.markSeriesSeen('1.2', '1.2.1', '2');
    expect(a.hasSeenSeries('1.2', '1.2.1', '2')).toBe(true);
    expect(a.hasSeenSeries('1.2', '1.2.2', '2')).toBe(false);
    kv.set([...kv.keys()].find((k) => k.endsWith('watermark')) as string, 'garbage');
    expect(a.getWatermark()).toBeNull();
  });

  it('counts failures in a row, forgets them after a success, and gives a study up until its signature changes', () => {
    const kv = new Map<string, string>();
    const state = createKeyValuePollerState({ store: kv, namespace: 'p' });
    state.clearStudyFailures('1.2');
    expect(kv.size).toBe(0); // nothing written for a study that never failed
    expect([state.recordStudyFailure('1.2'), state.recordStudyFailure('1.2')]).toEqual([1, 2]);
    expect(state.recordStudyFailure('1.3')).toBe(1);
    state.clearStudyFailures('1.2');
    expect(state.recordStudyFailure('1.2')).toBe(1);

    expect(state.isStudyGivenUp('1.3', '4')).toBe(false);
    state.markStudyGivenUp('1.3', '4');
    expect(state.isStudyGivenUp('1.3', '4')).toBe(true);
    expect(state.isStudyGivenUp('1.3', '5')).toBe(false); // it changed: tried again…
    // …with a fresh run of attempts, and kept across a restart (a new state over the same store)
    const restarted = createKeyValuePollerState({ store: kv, namespace: 'p' });
    expect(restarted.isStudyGivenUp('1.3', '4')).toBe(true);
    expect(restarted.recordStudyFailure('1.3')).toBe(1);
    expect(restarted.isStudyGivenUp('1.3', '4')).toBe(false);
    restarted.markStudyGivenUp('1.3', '5');
    restarted.clearStudyFailures('1.3');
    expect(restarted.isStudyGivenUp('1.3', '5')).toBe(false);

    kv.set([...kv.keys()].find((k) => k.endsWith('|1.2')) as string, '{not json');
    expect(state.recordStudyFailure('1.2')).toBe(1);
  });
});

describe('errors and auth', () => {
  it('says what failed without credentials', () => {
    const url = 'https://user:secret@pacs.example/dicom-web';
    expect(displayUrl(url)).toBe('https://pacs.example/dicom-web');
    expect(describeFailure({ status: 0 }, 'QIDO-RS studies', url).message).toBe(
      'QIDO-RS studies: no answer from https://pacs.example/dicom-web (refused, unreachable or timed out)',
    );
    const denied = describeFailure({ status: 401 }, 'QIDO-RS studies', url);
    expect(denied.message).toMatch(/HTTP 401 .* check the DICOMweb credentials/);
    expect(denied.status).toBe(401);
    expect(denied.message).not.toContain('secret');
  });

  it('sends basic and bearer Authorization headers', () => {
    expect(authHeaders({ type: 'bearer', token: 'abc.def' })).toEqual({ Authorization: 'Bearer abc.def' });
    expect(authHeaders({ type: 'basic', username: 'node', password: 'pw' })).toEqual({
      Authorization: `Basic ${Buffer.from('node:pw').toString('base64')}`,
    });
    expect(authHeaders({ type: 'none' })).toEqual({});
  });
});

describe('instance header', () => {
  it('reads the identifying attributes and the transfer syntax, and refuses an instance without UIDs', () => {
    const bytes = writePart10(
      {
        SOPClassUID: '1.2.840.10008.5.1.4.1.1.77.1.1',
        SOPInstanceUID: '1.2.3.4',
        StudyInstanceUID: '1.2.3',
        SeriesInstanceUID: '1.2.3.1',
        Modality: 'ES',
        SeriesDescription: 'EGD stills',
        PixelData: [new Uint8Array(4).buffer],
        _vrMap: { PixelData: 'OB' },
      },
      '1.2.840.10008.1.2.1',
    );
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    expect(readInstanceHeader(ab)).toEqual({
      studyInstanceUid: '1.2.3',
      seriesInstanceUid: '1.2.3.1',
      sopInstanceUid: '1.2.3.4',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.77.1.1',
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      modality: 'ES',
      bodyPartExamined: '',
      studyDescription: '',
      seriesDescription: 'EGD stills',
    });
    const noStudy = writePart10({ SOPClassUID: '1.2', SOPInstanceUID: '1.2.3.5' }, '1.2.840.10008.1.2.1');
    expect(() => readInstanceHeader(new Uint8Array(noStudy).buffer)).toThrow(/missing Study Instance UID/);
  });

  it('refuses malformed UIDs with the same check as the DIMSE path', () => {
    const base = { SOPClassUID: '1.2.840.10008.5.1.4.1.1.77.1.1', SOPInstanceUID: '1.2.3.4', StudyInstanceUID: '1.2.3', SeriesInstanceUID: '1.2.3.1' };
    for (const [keyword, uid, field] of [
      ['StudyInstanceUID', '1.02.3', 'studyInstanceUid'],
      ['SeriesInstanceUID', '1.2.3.x', 'seriesInstanceUid'],
      ['SOPInstanceUID', '1..2', 'sopInstanceUid'],
    ] as const) {
      const bytes = writePart10({ ...base, [keyword]: uid }, '1.2.840.10008.1.2.1');
      let thrown: unknown;
      try {
        readInstanceHeader(new Uint8Array(bytes).buffer);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(InvalidIdentityError);
      expect(thrown).toMatchObject({ field, problem: 'invalid' });
    }
  });
});

describe('fetchSeries', () => {
  const STUDY = '1.2.3';
  const SERIES = '1.2.3.1';
  const part10 = (over: Record<string, string>): ArrayBuffer =>
    new Uint8Array(
      writePart10(
        { SOPClassUID: '1.2.840.10008.5.1.4.1.1.77.1.1', SOPInstanceUID: '1.2.3.1.1', StudyInstanceUID: STUDY, SeriesInstanceUID: SERIES, Modality: 'ES', ...over },
        '1.2.840.10008.1.2.1',
      ),
    ).buffer;
  const serviceReturning = (parts: ArrayBuffer[]): DicomWebService => ({
    searchStudies: async () => [],
    searchSeries: async () => [],
    searchInstances: async () => [],
    retrieveSeries: async () => parts,
    retrieveInstance: async () => parts[0],
  });

  let dir: string;
  let spool: Spool;
  let received: ReceivedInstance[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dicomweb-fetch-'));
    spool = new Spool(dir);
    received = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const fetch = (parts: ArrayBuffer[]) =>
    fetchSeries(
      {
        service: serviceReturning(parts),
        spool,
        sink: { accept: async (i) => void received.push(i) },
        sourceUrl: 'http://pacs/dicom-web',
        now: () => new Date('2026-11-26T10:00:00Z'),
        wholeSeriesMaxInstances: 50,
        pageSize: 50,
      },
      STUDY,
      { seriesInstanceUid: SERIES, modality: 'ES', seriesDescription: '', instanceCount: parts.length },
    );

  it('commits every instance of the series and hands it over as a DICOMweb arrival', async () => {
    expect(await fetch([part10({}), part10({ SOPInstanceUID: '1.2.3.1.2' })])).toBe(2);
    expect(received.map((i) => i.sopInstanceUid)).toEqual(['1.2.3.1.1', '1.2.3.1.2']);
    expect(received[0]).toMatchObject({ source: 'dicomweb', callingAet: null, sourceUrl: 'http://pacs/dicom-web', receivedAt: new Date('2026-11-26T10:00:00Z'), transferSyntaxUid: '1.2.840.10008.1.2.1', modality: 'ES' });
    expect(spool.studyFiles(STUDY)).toEqual(received.map((i) => i.path));
    expect(readdirSync(spool.incomingDir)).toEqual([]);
  });

  it('refuses an instance with a malformed SOP Instance UID: nothing committed, nothing handed over, nothing left', async () => {
    await expect(fetch([part10({ SOPInstanceUID: '1.2.3.01' })])).rejects.toThrow(
      new RefusedInstanceError(`WADO-RS instance of series ${SERIES} refused: invalid SOP Instance UID`),
    );
    expect(received).toEqual([]);
    expect(readdirSync(spool.studiesDir)).toEqual([]);
    expect(readdirSync(spool.incomingDir)).toEqual([]);
  });

  it('refuses an instance of another series than the one asked for', async () => {
    await expect(fetch([part10({ SeriesInstanceUID: '1.2.3.9' })])).rejects.toThrow(/of another series \(1\.2\.3\.9\)/);
    expect(received).toEqual([]);
    expect(readdirSync(spool.incomingDir)).toEqual([]);
  });

  it('keeps the file committed when the sink refuses (the next poll replaces it)', async () => {
    const failing = fetchSeries(
      {
        service: serviceReturning([part10({})]),
        spool,
        sink: { accept: async () => Promise.reject(new Error('store unavailable')) },
        sourceUrl: 'http://pacs/dicom-web',
        now: () => new Date(),
        wholeSeriesMaxInstances: 50,
        pageSize: 50,
      },
      STUDY,
      { seriesInstanceUid: SERIES, modality: 'ES', seriesDescription: '', instanceCount: 1 },
    );
    await expect(failing).rejects.toThrow('sink refused the instance: store unavailable');
    expect(spool.studyFiles(STUDY)).toHaveLength(1);
    expect(readdirSync(spool.incomingDir)).toEqual([]);
  });
});

describe('createDicomWebPoller options', () => {
  it('refuses an invalid schedule, no modalities, a bad page size or failure limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dicomweb-unit-'));
    try {
      const options: DicomWebPollerOptions = {
        url: 'http://127.0.0.1:9/dicom-web',
        auth: { type: 'bearer', token: 't' },
        schedule: '*/10 * * * * *',
        modalities: ['ES'],
        overlapMinutes: 10,
        pageSize: 50,
        spool: new Spool(dir),
        sink: { accept: async () => undefined },
        state: createKeyValuePollerState({ store: new Map(), namespace: 'x' }),
        logger: silentLogger,
      };
      expect(createDicomWebPoller(options).status()).toMatchObject({ status: 'unknown', scheduled: false, lastPoll: null });
      expect(() => createDicomWebPoller({ ...options, schedule: '61 * * * *' })).toThrow(/invalid cron schedule/);
      expect(() => createDicomWebPoller({ ...options, modalities: [] })).toThrow(/modalities/);
      expect(() => createDicomWebPoller({ ...options, pageSize: 0 })).toThrow(/pageSize/);
      expect(() => createDicomWebPoller({ ...options, maxStudyFailures: 0 })).toThrow(/maxStudyFailures/);
      expect(() => createDicomWebPoller({ ...options, initialLookbackHours: -1 })).toThrow(/initialLookbackHours/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('seeds the watermark initialLookbackHours before now on first start only, and keeps it in the state', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dicomweb-unit-'));
    try {
      const kv = new Map<string, string>();
      const at = (iso: string) => () => new Date(iso);
      const options = (now: () => Date, initialLookbackHours?: number): DicomWebPollerOptions => ({
        url: 'http://127.0.0.1:9/dicom-web',
        auth: { type: 'none' },
        schedule: '*/10 * * * * *',
        modalities: ['ES'],
        overlapMinutes: 10,
        initialLookbackHours,
        pageSize: 50,
        spool: new Spool(dir),
        sink: { accept: async () => undefined },
        state: createKeyValuePollerState({ store: kv, namespace: 'x' }),
        logger: silentLogger,
        now,
      });
      createDicomWebPoller(options(at('2026-11-26T10:00:00Z')));
      expect(createKeyValuePollerState({ store: kv, namespace: 'x' }).getWatermark()).toBeNull(); // no lookback: not seeded
      createDicomWebPoller(options(at('2026-11-26T10:00:00Z'), 24));
      expect(createKeyValuePollerState({ store: kv, namespace: 'x' }).getWatermark()).toEqual(new Date('2026-11-25T10:00:00Z'));
      // A restart a day later keeps the watermark it has.
      createDicomWebPoller(options(at('2026-11-27T10:00:00Z'), 24));
      expect(createKeyValuePollerState({ store: kv, namespace: 'x' }).getWatermark()).toEqual(new Date('2026-11-25T10:00:00Z'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
