/**
 * `gastric-ai analyze --out OUT` on a synthetic endoscopy study with a tiny model package: the SR, SEG and SC result
 * objects and analysis.json, in the source study, valid (dciodvfy, dsrdump), with the same UIDs on a rerun.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readPart10File } from '../../src/dicom/io';
import { StudyAnalysis } from '../../src/domain/analysis';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { runCli } from '../helpers/cli';
import { writeTestModelPackage } from '../helpers/model-package';
import { dciodvfyErrors, dsrdumpProblems } from '../helpers/validators';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-analyze-out-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const modelDir = path.join(tmp, 'model-es');
const out = path.join(tmp, 'out');
let studyDir: string;
let studyInstanceUid: string;

const SOP_CLASS = { SR: '1.2.840.10008.5.1.4.1.1.88.33', SEG: '1.2.840.10008.5.1.4.1.1.66.4', SC: '1.2.840.10008.5.1.4.1.1.7' };

beforeAll(async () => {
  const data = path.join(tmp, 'data');
  const summary = generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out: data, seed: 12, patients: 1, normalFraction: 0, jpeg: true, modalities: ['ES'], endoscopyImages: 3 });
  const study = summary.patients[0].studies[0];
  studyDir = path.join(data, study.folder);
  studyInstanceUid = study.studyInstanceUid;
  await writeTestModelPackage(modelDir, 'ES');
}, 300_000);

function analyzeTo(dir: string, extra: string[] = []): { stdout: string; files: string[] } {
  const r = runCli(['analyze', '--in', studyDir, '--model', `test-es=${modelDir}`, '--engine', 'onnx', '--out', dir, ...extra]);
  if (r.status !== 0) throw new Error(`analyze --out failed: ${r.stderr}`);
  return { stdout: r.stdout, files: fs.readdirSync(dir).sort() };
}

test('writes sr.dcm, one SEG per image size and series, one SC per finding, and analysis.json', () => {
  const { stdout, files } = analyzeTo(out);
  const analysis = JSON.parse(fs.readFileSync(path.join(out, 'analysis.json'), 'utf8')) as StudyAnalysis;
  expect(analysis.studyInstanceUid).toBe(studyInstanceUid);
  const found = analysis.images.filter((i) => i.suspicious && i.region).length;
  expect(found).toBeGreaterThan(0); // the test model calls every image suspicious (threshold 0)
  expect(files).toEqual(['analysis.json', ...Array.from({ length: found }, (_, i) => `sc-${i}.dcm`), 'seg-0.dcm', 'sr.dcm']);
  expect(stdout).toContain(`wrote sr.dcm, seg-0.dcm, sc-0.dcm`);

  const kinds: Record<string, keyof typeof SOP_CLASS> = { sr: 'SR', seg: 'SEG', sc: 'SC' };
  const seriesByKind = new Map<string, Set<string>>();
  for (const name of files.filter((f) => f.endsWith('.dcm'))) {
    const file = path.join(out, name);
    const kind = kinds[name.replace(/(-\d+)?\.dcm$/, '')];
    const { meta, dataset } = readPart10File(file);
    expect(meta.TransferSyntaxUID).toBe('1.2.840.10008.1.2.1');
    expect(dataset.SOPClassUID).toBe(SOP_CLASS[kind]);
    expect(dataset.StudyInstanceUID).toBe(studyInstanceUid);
    expect(String(dataset.SeriesDescription)).toMatch(/^AI .*not for clinical use/);
    seriesByKind.set(kind, (seriesByKind.get(kind) ?? new Set()).add(String(dataset.SeriesInstanceUID)));
    expect(dciodvfyErrors(file)).toEqual([]);
  }
  expect([...seriesByKind.values()].map((s) => s.size)).toEqual([1, 1, 1]); // one new series per kind
  expect(new Set([...seriesByKind.values()].flatMap((s) => [...s])).size).toBe(3);
  expect(dsrdumpProblems(path.join(out, 'sr.dcm'))).toEqual([]);
});

test('a rerun into the same folder gives the same UIDs and removes result files the new run does not write', () => {
  const uids = (dir: string): Record<string, string> =>
    Object.fromEntries(fs.readdirSync(dir).filter((f) => f.endsWith('.dcm')).map((f) => [f, String(readPart10File(path.join(dir, f)).dataset.SOPInstanceUID)]));
  const again = path.join(tmp, 'again');
  analyzeTo(again);
  const first = uids(again);
  fs.copyFileSync(path.join(again, 'seg-0.dcm'), path.join(again, 'seg-7.dcm'));
  fs.writeFileSync(path.join(again, 'notes.txt'), 'kept');
  const { files } = analyzeTo(again, ['--json']);
  expect(uids(again)).toEqual(first);
  expect(files).toContain('notes.txt');
  expect(files).not.toContain('seg-7.dcm');
});

test('--json with --out keeps stdout pure JSON, the same analysis as analysis.json', () => {
  const dir = path.join(tmp, 'json');
  const r = runCli(['analyze', '--in', studyDir, '--model', `test-es=${modelDir}`, '--engine', 'onnx', '--json', '--out', dir]);
  expect(r.status).toBe(0);
  const printed = JSON.parse(r.stdout) as StudyAnalysis;
  const saved = JSON.parse(fs.readFileSync(path.join(dir, 'analysis.json'), 'utf8')) as StudyAnalysis;
  expect({ ...printed, timings: null }).toEqual({ ...saved, timings: null });
});
