/**
 * The README's demo path, once: a real Orthanc with the Lua forwarder, the node on the embedded defaults (tiny test
 * models here, so the test does not depend on the demo weights), a synthetic ES study stored by STOW-RS, and the SR,
 * SEG and SC that came back retrieved by WADO-RS into --out.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readPart10File } from '../../src/dicom/io';
import { runCli } from '../helpers/cli';
import { writeTestModels } from '../helpers/node';

jest.setTimeout(240_000);

test('gastric-ai demo --once --json --out DIR prints the analysis and writes the result objects from the PACS', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-cli-'));
  const models = await writeTestModels(path.join(tmp, 'models'), ['ES']);
  const config = path.join(tmp, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ inference: { engine: 'onnx', threads: 1, models } }));
  const out = path.join(tmp, 'out');
  const r = runCli(['demo', '--once', '--json', '--seed', '4', '--config', config, '--out', out]);
  expect(r.status).toBe(0);
  const result = JSON.parse(r.stdout) as {
    studyInstanceUID: string;
    priority: string;
    cancerProbability: number;
    stage: string | null;
    results: Array<{ modality: string; instances: number; files: string[] }>;
    timings: Record<string, number>;
    notForClinicalUse: boolean;
  };
  expect(['urgent', 'suspicious', 'routine']).toContain(result.priority);
  expect(result.cancerProbability).toBeGreaterThanOrEqual(0);
  expect(result.notForClinicalUse).toBe(true);
  expect(result.timings.storedToResultsInPacsMs).toBeGreaterThan(0);
  expect(result.results.map((x) => x.modality).sort()).toEqual(['OT', 'SEG', 'SR']);
  for (const file of result.results.flatMap((x) => x.files)) {
    const { dataset } = readPart10File(file);
    expect(dataset.StudyInstanceUID).toBe(result.studyInstanceUID);
    expect(String(dataset.SeriesDescription)).toMatch(/^AI .*not for clinical use/);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});
