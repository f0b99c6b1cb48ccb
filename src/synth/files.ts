/** Lists files under a folder of a dataset in the seed layout, in path order. */
import * as fs from 'fs';
import * as path from 'path';

export function listFiles(dir: string, extension: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), extension) : e.name.endsWith(extension) ? [path.join(dir, e.name)] : []))
    .sort();
}

export const listDicomFiles = (dir: string): string[] => listFiles(dir, '.dcm');
