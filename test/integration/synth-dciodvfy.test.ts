/** dciodvfy (dicom3tools) prints no "Error" line for any synthesized file: ES plain and JPEG, CT and PT. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateSynthetic, DEFAULT_SYNTH_OPTIONS } from '../../src/synth/generate';
import { listFiles } from '../helpers/synth-files';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-dciodvfy-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function dciodvfy(file: string): string[] {
  const r = spawnSync('dciodvfy', ['-new', file], { encoding: 'utf8' });
  if (r.error) throw new Error(`dciodvfy not runnable (Debian package dicom3tools): ${r.error.message}`);
  return `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^Error/.test(l.trim()));
}

describe.each([
  ['uncompressed', false],
  ['JPEG baseline', true],
])('synthetic objects (%s endoscopy)', (_name, jpeg) => {
  const out = path.join(tmp, jpeg ? 'jpeg' : 'plain');
  beforeAll(() => {
    fs.mkdirSync(out);
    // A cancer patient and a control, so lesion-bearing and normal images are both checked.
    generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out, seed: 5, patients: 3, normalFraction: 0.4, jpeg, endoscopyImages: 3, ctSlices: 2, petSlices: 2 });
  });

  test.each(['ENDO', 'CT', 'PET'])('%s files have no dciodvfy errors', (folder) => {
    const files = listFiles(out, '.dcm').filter((f) => f.split(path.sep).includes(folder));
    expect(files.length).toBeGreaterThan(0);
    const errors = files.flatMap((f) => dciodvfy(f).map((e) => `${path.basename(f)}: ${e}`));
    expect(errors).toEqual([]);
  });
});
