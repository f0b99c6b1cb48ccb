import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Priority, Stage, StudyAnalysis } from '../../src/domain/analysis';
import { createSqliteStore, NodeStore } from '../../src/store/sqlite-store';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-read-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
let store: NodeStore;
beforeEach(() => {
  store = createSqliteStore({ path: path.join(tmp, `db-${++n}.sqlite`) });
});
afterEach(() => store.close());

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);

function receive(study: string, minutes: number, modality = 'ES'): void {
  store.ingest.record({
    studyInstanceUid: study,
    seriesInstanceUid: `${study}.1`,
    sopInstanceUid: `${study}.1.${minutes}`,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.77.1.1',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    modality,
    bodyPartExamined: 'STOMACH',
    studyDescription: '',
    seriesDescription: '',
    path: `/spool/${study}/${minutes}.dcm`,
    sizeBytes: 10,
    source: 'dimse',
    callingAet: 'PACS',
    sourceUrl: null,
    receivedAt: at(minutes),
  });
}

function analysis(study: string, priority: Priority, probability: number, stage: Stage | null): StudyAnalysis {
  return {
    studyInstanceUid: study,
    models: [{ id: 'gastric-es', version: '1.0.0', modality: 'ES', deviceUid: '1.2.9', synthetic: true }],
    readings: [{ modelId: 'gastric-es', cancerProbability: probability, priority, images: 0 }],
    cancerProbability: probability,
    aggregation: 'mean of the top 3 image probabilities',
    suspicious: priority !== 'routine',
    priority,
    stage: { estimate: stage, distribution: [0.1, 0.2, 0.3, 0.4] },
    images: [],
    skipped: [],
    timings: { decodeMs: 1, preprocessMs: 1, inferMs: 1, localiseMs: 1, totalMs: 4 },
    notForClinicalUse: true,
  };
}

function analyse(study: string, priority: Priority, probability: number, stage: Stage | null = null): void {
  const revision = store.studies.get(study)!.revision;
  expect(store.studies.recordAnalysis({ studyInstanceUid: study, revision, analysis: analysis(study, priority, probability, stage), analysedAt: at(100) })).toBe(true);
  store.studies.setStatus({ studyInstanceUid: study, revision, status: 'done' });
}

describe('worklist', () => {
  test('urgent, suspicious, routine, then not yet analysed; first arrival first within each', () => {
    receive('1.1', 0); // routine, earliest
    receive('1.2', 1); // not analysed
    receive('1.3', 2); // urgent, later
    receive('1.4', 3); // suspicious
    receive('1.5', 4); // urgent, latest
    receive('1.6', 5); // not analysed, latest
    receive('1.0', 6); // routine; its first arrival is later than 1.1's, though a later instance comes too
    receive('1.1', 7);
    analyse('1.1', 'routine', 0.05);
    analyse('1.3', 'urgent', 0.95, 'III');
    analyse('1.4', 'suspicious', 0.6, 'I');
    analyse('1.5', 'urgent', 0.91, 'II');
    analyse('1.0', 'routine', 0.02);

    const list = store.readModels.worklist();
    expect(list.map((e) => e.studyInstanceUid)).toEqual(['1.3', '1.5', '1.4', '1.1', '1.0', '1.2', '1.6']);
    expect(list[0]).toEqual({
      studyInstanceUid: '1.3',
      status: 'done',
      priority: 'urgent',
      cancerProbability: 0.95,
      stage: 'III',
      modalities: ['ES'],
      instanceCount: 1,
      receivedAt: at(2).toISOString(),
      analysedAt: at(100).toISOString(),
      reason: null,
    });
    expect(list[5]).toMatchObject({ priority: null, cancerProbability: null, stage: null, analysedAt: null, status: 'receiving' });
    expect(store.readModels.worklist({ limit: 2 }).map((e) => e.studyInstanceUid)).toEqual(['1.3', '1.5']);
  });
});

describe('study detail', () => {
  test('unknown study: null', () => {
    expect(store.readModels.studyDetail('9.9.9')).toBeNull();
  });

  test('analysis, result objects, jobs and whether the current analysis was exported', () => {
    receive('2.1', 0, 'CT');
    receive('2.1', 1, 'PT');
    const a = store.jobs.insert({ kind: 'analyze', studyInstanceUid: '2.1', revision: 1, maxAttempts: 3, runAt: at(2), now: at(2) })!;
    store.jobs.claimNext({ now: at(3), kinds: ['analyze'] });
    store.jobs.complete(a.id, at(4));
    analyse('2.1', 'suspicious', 0.7, 'II');
    const results = [
      { kind: 'SR' as const, sopClassUid: '1.2.840.10008.5.1.4.1.1.88.33', sopInstanceUid: '2.1.9.1', seriesInstanceUid: '2.1.9', path: '/r/sr.dcm' },
      { kind: 'SEG' as const, sopClassUid: '1.2.840.10008.5.1.4.1.1.66.4', sopInstanceUid: '2.1.8.1', seriesInstanceUid: '2.1.8', path: '/r/seg.dcm' },
    ];
    store.results.replaceForStudy('2.1', results);
    store.results.replaceForStudy('2.1', results); // a rerun replaces, never duplicates
    expect(store.readModels.studyDetail('2.1')!.exported).toBe(false);

    const e = store.jobs.insert({ kind: 'export', studyInstanceUid: '2.1', revision: 1, maxAttempts: 3, runAt: at(5), now: at(5) })!;
    store.jobs.claimNext({ now: at(5), kinds: ['export'] });
    store.jobs.complete(e.id, at(6));

    const detail = store.readModels.studyDetail('2.1')!;
    expect(detail).toMatchObject({ studyInstanceUid: '2.1', status: 'done', priority: 'suspicious', modalities: ['CT', 'PT'], instanceCount: 2, exported: true });
    expect(detail.analysis).toEqual(analysis('2.1', 'suspicious', 0.7, 'II'));
    expect(detail.results.map((r) => r.kind)).toEqual(['SEG', 'SR']);
    expect(detail.jobs.map((j) => [j.kind, j.state, j.attempts])).toEqual([
      ['analyze', 'done', 1],
      ['export', 'done', 1],
    ]);

    // New instances re-open the study: the analysis on record (revision 1) stays shown and stays exported.
    receive('2.1', 10, 'CT');
    expect(store.readModels.studyDetail('2.1')).toMatchObject({ status: 'receiving', priority: 'suspicious', exported: true, instanceCount: 3 });
  });
});
