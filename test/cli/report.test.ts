/** `gastric-ai report` on a synthetic dataset: counts that match the data, contact sheets with the labels drawn. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { runCli } from '../helpers/cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-report-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('report writes index.html, report.json and labelled contact sheets for every modality present', () => {
  const data = path.join(tmp, 'data');
  fs.mkdirSync(data);
  const summary = generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out: data, seed: 6, patients: 4, normalFraction: 0.25, jpeg: true, endoscopyImages: 3, ctSlices: 2, petSlices: 2 });
  const out = path.join(tmp, 'report');
  const r = runCli(['report', '--data', data, '--out', out, '--samples', '4']);
  expect(r.stderr).not.toMatch(/could not draw/);
  expect(r.status).toBe(0);
  const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
  expect(report.modalities.map((m: { modality: string }) => m.modality)).toEqual(['ES', 'CT', 'PT']);
  const es = report.modalities[0];
  expect(es.patients).toBe(4);
  expect(es.images).toBe(12);
  const expectedCancer = summary.patients.reduce((n, p) => n + (p.studies.find((s) => s.modality === 'ES')?.cancerImages ?? 0), 0);
  expect(es.cancerImages).toBe(expectedCancer);
  const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
  expect(html).toContain('contact-es.png');
  expect(html).toContain('not for clinical use');
  for (const m of ['es', 'ct', 'pt']) {
    const png = PNG.sync.read(fs.readFileSync(path.join(out, `contact-${m}.png`)));
    let yellow = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] > 240 && png.data[i + 1] > 200 && png.data[i + 2] < 40) yellow++;
    expect(yellow).toBeGreaterThan(20); // label outlines drawn
  }
});

test('a folder that is not a dataset is a clear error', () => {
  const r = runCli(['report', '--data', tmp, '--out', path.join(tmp, 'x')]);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/no 원천데이터 folder/);
});
