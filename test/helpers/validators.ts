/** The three validators every result object must pass, as functions returning the offending lines (empty = pass). */
import { spawnSync } from 'child_process';

const run = (cmd: string, args: string[]): { code: number; out: string } => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} not runnable: ${r.error.message}`);
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
};

/** dicom3tools dciodvfy: lines with "Error". */
export function dciodvfyErrors(file: string): string[] {
  return run('dciodvfy', ['-new', file]).out.split('\n').filter((l) => /Error/.test(l));
}

/** dcmtk dsrdump: exit status and E:/F: lines. */
export function dsrdumpProblems(file: string): string[] {
  const { code, out } = run('dsrdump', [file]);
  const lines = out.split('\n').filter((l) => /^[EF]: /.test(l));
  return code === 0 ? lines : [`exit ${code}`, ...lines];
}

/** PixelMed DicomSRValidator (TID 1500 and IOD rules): lines with "Error". */
export function pixelmedSrErrors(file: string): string[] {
  const { out } = run('java', [
    '-Djdk.xml.xpathExprOpLimit=0',
    '-Djdk.xml.xpathExprGrpLimit=0',
    '-Djdk.xml.xpathTotalOpLimit=0',
    '-cp',
    '/usr/share/java/pixelmed.jar',
    'com.pixelmed.validate.DicomSRValidator',
    file,
  ]);
  return out.split('\n').filter((l) => /Error/.test(l));
}
