/**
 * The analyze job against its ports (no Orthanc, no SQLite): routing by model id, the analysis and its result files
 * recorded for the job's revision, the export queued; skipped with the reason when nothing routes or the routed model
 * is not installed; a superseded revision leaves nothing behind; undecodable input fails without retries.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readPart10File } from '../../src/dicom/io';
import { textOf } from '../../src/dicom/attributes';
import { StudyAnalysis } from '../../src/domain/analysis';
import { ResultObjectRecord, StudyRecord, StudyStatus } from '../../src/domain/study';
import { openModelPackage, ModelPackage } from '../../src/inference/package/load';
import { createLogger } from '../../src/logging/logger';
import { runAnalyzeJob, AnalyzeJobDeps } from '../../src/pipeline/analyze-job';
import { PipelineStore, StoredInstance } from '../../src/pipeline/ports';
import { isUnrecoverable } from '../../src/pipeline/queue';
import { createRouter } from '../../src/pipeline/routing';
import { listDicomFiles } from '../../src/synth/files';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { writeTestModelPackage } from '../helpers/model-package';

jest.setTimeout(120_000);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'analyze-job-'));
let es: ModelPackage;
let instances: StoredInstance[];
let studyUid: string;

beforeAll(async () => {
  const summary = generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out: path.join(tmp, 'data'), seed: 5, patients: 1, normalFraction: 0, modalities: ['ES'], endoscopyImages: 2 });
  const study = summary.patients[0].studies[0];
  studyUid = study.studyInstanceUid;
  instances = listDicomFiles(path.join(tmp, 'data', study.folder)).map((file) => {
    const { dataset } = readPart10File(file);
    return {
      sopInstanceUid: textOf(dataset.SOPInstanceUID),
      seriesInstanceUid: textOf(dataset.SeriesInstanceUID),
      sopClassUid: textOf(dataset.SOPClassUID),
      modality: textOf(dataset.Modality),
      bodyPartExamined: textOf(dataset.BodyPartExamined),
      studyDescription: textOf(dataset.StudyDescription),
      seriesDescription: textOf(dataset.SeriesDescription),
      path: file,
    };
  });
  await writeTestModelPackage(path.join(tmp, 'es'), 'ES');
  es = await openModelPackage(path.join(tmp, 'es'), { engine: 'onnx', threads: 1, testTimeAugmentation: 'model' });
});

afterAll(async () => {
  await es?.engine.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Recorded {
  statuses: Array<{ status: StudyStatus; reason: string | null }>;
  saved: Array<{ revision: number; analysis: StudyAnalysis; results: ResultObjectRecord[] }>;
  exports: number[];
  skipped: string[];
}

function harness(options: { rules: Array<{ modality: string; model: string }>; currentRevision?: number; files?: StoredInstance[] }): { deps: AnalyzeJobDeps; recorded: Recorded; resultsDir: string } {
  const recorded: Recorded = { statuses: [], saved: [], exports: [], skipped: [] };
  const resultsDir = fs.mkdtempSync(path.join(tmp, 'results-'));
  const current = options.currentRevision ?? 1;
  const study: StudyRecord = { studyInstanceUid: studyUid, status: 'analyzing' as StudyStatus, source: 'dimse', callingAet: 'PACS', sourceUrl: null, instanceCount: instances.length, firstReceivedAt: new Date(0), lastReceivedAt: new Date(0), reason: null, revision: current };
  const store: PipelineStore = {
    study: (uid) => (uid === studyUid ? study : null),
    instances: () => options.files ?? instances,
    setStatus: (_uid, revision, status, reason = null) => {
      if (revision !== current) return false;
      recorded.statuses.push({ status, reason });
      return true;
    },
    saveAnalysis: (_uid, revision, analysis, results) => {
      if (revision !== current) return false;
      recorded.saved.push({ revision, analysis, results });
      return true;
    },
    results: () => [],
  };
  const deps: AnalyzeJobDeps = {
    store,
    jobs: { enqueueExport: (_uid, revision) => recorded.exports.push(revision) },
    route: createRouter(options.rules),
    model: (id) => (id === 'test-es' ? es : undefined),
    batchSize: 4,
    triage: { urgentProbability: 0.8, suspiciousProbability: 0.5 },
    results: { segmentationType: 'BINARY', secondaryCapture: true },
    resultsDir,
    events: { analysed: () => undefined, skipped: (_s, reason) => recorded.skipped.push(reason), exported: () => undefined, exportFailed: () => undefined },
    logger: createLogger({ level: 'error', write: () => undefined }),
    now: () => new Date(0),
  };
  return { deps, recorded, resultsDir };
}

test('a routed study is analysed by the routed model, its results written for the revision and its export queued', async () => {
  const { deps, recorded, resultsDir } = harness({ rules: [{ modality: 'ES', model: 'test-es' }] });
  await runAnalyzeJob({ studyInstanceUid: studyUid, revision: 1 }, deps);
  expect(recorded.saved).toHaveLength(1);
  const { analysis, results } = recorded.saved[0];
  expect(analysis.images.map((i) => i.modelId)).toEqual(['test-es', 'test-es']);
  expect(results.map((r) => r.kind)).toContain('SR');
  for (const r of results) {
    expect(r.path.startsWith(path.join(resultsDir, studyUid, 'r1'))).toBe(true);
    expect(fs.existsSync(r.path)).toBe(true);
  }
  expect(recorded.exports).toEqual([1]);
});

test('nothing routed, or routed to a model that is not installed: skipped with the reason, nothing written', async () => {
  const unrouted = harness({ rules: [{ modality: 'CT', model: 'test-es' }] });
  await runAnalyzeJob({ studyInstanceUid: studyUid, revision: 1 }, unrouted.deps);
  expect(unrouted.recorded.statuses).toEqual([{ status: 'skipped', reason: expect.stringMatching(/no rule matches its series \(ES/) }]);
  expect(unrouted.recorded.skipped).toHaveLength(1);

  const uninstalled = harness({ rules: [{ modality: 'ES', model: 'es-v2' }] });
  await runAnalyzeJob({ studyInstanceUid: studyUid, revision: 1 }, uninstalled.deps);
  expect(uninstalled.recorded.statuses).toEqual([{ status: 'skipped', reason: 'no model package installed for es-v2 (inference.models)' }]);
  for (const h of [unrouted, uninstalled]) {
    expect(h.recorded.saved).toEqual([]);
    expect(h.recorded.exports).toEqual([]);
    expect(fs.readdirSync(h.resultsDir)).toEqual([]);
  }
});

test('an analysis of a superseded revision records nothing, queues nothing and removes its files', async () => {
  const { deps, recorded, resultsDir } = harness({ rules: [{ modality: 'ES', model: 'test-es' }], currentRevision: 2 });
  await runAnalyzeJob({ studyInstanceUid: studyUid, revision: 1 }, deps);
  expect(recorded.saved).toEqual([]);
  expect(recorded.exports).toEqual([]);
  expect(fs.existsSync(path.join(resultsDir, studyUid, 'r1'))).toBe(false);
});

test('a study whose routed files cannot be read fails without retries', async () => {
  const junk = path.join(tmp, 'junk.dcm');
  fs.writeFileSync(junk, 'not DICOM');
  const { deps } = harness({ rules: [{ modality: 'ES', model: 'test-es' }], files: [{ ...instances[0], path: junk }] });
  const failure = await runAnalyzeJob({ studyInstanceUid: studyUid, revision: 1 }, deps).catch((err: unknown) => err);
  expect(isUnrecoverable(failure)).toBe(true);
  expect((failure as Error).message).toMatch(/no analysable image .*not readable as DICOM/);
});
