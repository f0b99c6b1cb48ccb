/** Walks a synthetic dataset written by `gastric-ai synth`. */
import * as fs from 'fs';
import * as path from 'path';
import type { SeedLabel } from '../../src/synth/labels';

export { listFiles } from '../../src/synth/files';

/** The label that belongs to a source file (원천데이터 → 라벨링데이터, .dcm → .json). */
export function labelFor(dicomFile: string): SeedLabel {
  const labelFile = dicomFile.replace(`${path.sep}원천데이터${path.sep}`, `${path.sep}라벨링데이터${path.sep}`).replace(/\.dcm$/, '.json');
  return JSON.parse(fs.readFileSync(labelFile, 'utf8')) as SeedLabel;
}
