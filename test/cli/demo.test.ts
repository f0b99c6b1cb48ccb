/**
 * The README's demo path, once: a real Orthanc with the Lua forwarder, the node on the embedded defaults (tiny test
 * models here, so the test does not depend on the demo weights), a synthetic ES study stored by STOW-RS, and the SR,
 * SEG and SC that came back retrieved by WADO-RS into --out. What the demo prints must be what the PACS now holds:
 * every listed file is in --out, and the SR read back from the PACS carries the printed priority and probability.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Code, CODES, PRIORITY_CODES, PRIORITY_CONCEPT } from '../../src/dicom/codes';
import { readPart10File } from '../../src/dicom/io';
import { readReport } from '../../src/dicom/sr/read';
import { SopClass } from '../../src/dicom/uids';
import { runCli } from '../helpers/cli';
import { testModelsConfig, writeTestModels } from '../helpers/node';

jest.setTimeout(240_000);

test('gastric-ai demo --once --json --out DIR prints the analysis and writes the result objects from the PACS', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-cli-'));
  const models = testModelsConfig(await writeTestModels(path.join(tmp, 'models'), ['ES']));
  const config = path.join(tmp, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ inference: { engine: 'onnx', threads: 1, models: models.inference.models }, routing: models.routing }));
  const out = path.join(tmp, 'out');
  const r = runCli(['demo', '--once', '--json', '--seed', '4', '--config', config, '--out', out]);
  expect(r.status).toBe(0);
  const result = JSON.parse(r.stdout) as {
    studyInstanceUID: string;
    status: string;
    priority: 'urgent' | 'suspicious' | 'routine';
    cancerProbability: number;
    results: Array<{ modality: string; seriesInstanceUID: string; instances: number; files: string[] }>;
    timings: Record<string, number>;
    models: Array<{ id: string }>;
  };
  expect(result).toMatchObject({ status: 'done', models: [{ id: 'test-es' }], notForClinicalUse: true });
  expect(result.cancerProbability).toBeGreaterThanOrEqual(0);
  expect(result.cancerProbability).toBeLessThanOrEqual(1);
  // The results were queryable in the PACS only after the node had analysed the study.
  expect(result.timings.storedToResultsInPacsMs).toBeGreaterThan(result.timings.totalMs);

  // Every result object the PACS holds came back into --out: one file per instance, nothing else there.
  const byModality = Object.fromEntries(result.results.map((x) => [x.modality, x]));
  expect(Object.keys(byModality).sort()).toEqual(['OT', 'SEG', 'SR']);
  expect(byModality.SR.instances).toBe(1);
  expect(byModality.SEG.instances).toBe(1);
  expect(byModality.OT.instances).toBeGreaterThanOrEqual(1);
  const studyDir = path.join(out, result.studyInstanceUID);
  for (const x of result.results) {
    expect(x.files).toHaveLength(x.instances);
    for (const file of x.files) expect(path.dirname(file)).toBe(studyDir);
  }
  const listed = result.results.flatMap((x) => x.files);
  expect(fs.readdirSync(studyDir).sort()).toEqual(listed.map((f) => path.basename(f)).sort());

  const expectedClass: Record<string, string> = { SR: SopClass.ComprehensiveSr, SEG: SopClass.Segmentation, OT: SopClass.SecondaryCaptureImage };
  for (const x of result.results)
    for (const file of x.files) {
      const { dataset } = readPart10File(file);
      expect(dataset.StudyInstanceUID).toBe(result.studyInstanceUID);
      expect(dataset.SeriesInstanceUID).toBe(x.seriesInstanceUID);
      expect(dataset.SOPClassUID).toBe(expectedClass[x.modality]);
      expect(String(dataset.SeriesDescription)).toMatch(/^AI .*not for clinical use/);
    }

  // The SR from the PACS says what the demo printed, and its findings point at the SEG that came back with it.
  const { summary } = readReport(readPart10File(byModality.SR.files[0]).dataset);
  const evaluation = (name: Code): Code | string | undefined => summary.evaluations.find((e) => name.equals(e.name))?.value;
  expect(evaluation(PRIORITY_CONCEPT)).toEqual(PRIORITY_CODES[result.priority]);
  // The SR writes the probability to 3 decimals, the demo prints it to 4: both roundings of the same number.
  const srProbability = /^(\d+\.\d+) /.exec(String(evaluation(CODES.probabilityOfCancer)))?.[1];
  expect(Math.abs(Number(srProbability) - result.cancerProbability)).toBeLessThanOrEqual(0.00056);
  const segUid = readPart10File(byModality.SEG.files[0]).dataset.SOPInstanceUID;
  expect(summary.findings.length).toBeGreaterThan(0);
  for (const finding of summary.findings) expect(finding.segment?.sopInstanceUid).toBe(segUid);
  fs.rmSync(tmp, { recursive: true, force: true });
});
