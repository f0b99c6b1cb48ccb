/**
 * Finds the seed layout's DICOM/label pairs for one modality:
 *   root/원천데이터/<person>/<FOLDER>/<stem>.dcm  ↔  root/라벨링데이터/<person>/<FOLDER>/<stem>.json
 * Names are compared after Unicode NFC normalisation: macOS (and archives made there) store the Korean folder names
 * decomposed (NFD), Linux and Windows tools composed (NFC), and the same delivery can mix both.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LABEL_DIR, MODALITY_FOLDER, SOURCE_DIR } from './types';
import type { Modality } from '../../domain/modality';

export interface FilePair {
  /** Person folder name, NFC. */
  personFolder: string;
  /** File name without extension, NFC. */
  stem: string;
  dicomPath: string;
  labelPath: string;
}

const nfc = (s: string): string => s.normalize('NFC');

async function entries(dir: string): Promise<fs.Dirent[]> {
  try {
    return await fs.promises.readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw e;
  }
}

/** The sub-folder of `dir` named `name` in any normalisation; null (with a problem if `required`) when absent or ambiguous. */
async function findFolder(dir: string, name: string, problems: string[], required: boolean): Promise<string | null> {
  const matches = (await entries(dir)).filter((e) => e.isDirectory() && nfc(e.name) === nfc(name));
  if (matches.length > 1) problems.push(`${dir}: ${matches.length} folders are named ${name} in different Unicode normalisations`);
  else if (matches.length === 0 && required) problems.push(`${dir}: no folder ${name}`);
  return matches.length === 1 ? path.join(dir, matches[0].name) : null;
}

/** `<person>/<stem>` (NFC) → file, for every `<top>/<person>/<folder>/*<extension>`. */
async function listModality(top: string, folder: string, extension: string, problems: string[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const person of (await entries(top)).filter((e) => e.isDirectory())) {
    const dir = await findFolder(path.join(top, person.name), folder, problems, false);
    if (dir === null) continue;
    for (const file of await entries(dir)) {
      if (file.isDirectory() || !file.name.toLowerCase().endsWith(extension)) continue;
      const key = `${nfc(person.name)}/${nfc(file.name.slice(0, -extension.length))}`;
      const full = path.join(dir, file.name);
      if (files.has(key)) problems.push(`${full}: same name as ${files.get(key)} after Unicode normalisation`);
      else files.set(key, full);
    }
  }
  return files;
}

/** Every DICOM with its label; a DICOM without a label, or a label without a DICOM, is a problem naming the file. */
export async function pairFiles(root: string, modality: Modality, problems: string[]): Promise<FilePair[]> {
  const sourceTop = await findFolder(root, SOURCE_DIR, problems, true);
  const labelTop = await findFolder(root, LABEL_DIR, problems, true);
  if (sourceTop === null || labelTop === null) return [];
  const folder = MODALITY_FOLDER[modality];
  const dicoms = await listModality(sourceTop, folder, '.dcm', problems);
  const labels = await listModality(labelTop, folder, '.json', problems);
  const pairs: FilePair[] = [];
  for (const [key, dicomPath] of dicoms) {
    const labelPath = labels.get(key);
    if (labelPath === undefined) {
      problems.push(`${dicomPath}: DICOM without a label (expected ${LABEL_DIR}/${key.replace('/', `/${folder}/`)}.json)`);
      continue;
    }
    const [personFolder, stem] = key.split('/');
    pairs.push({ personFolder, stem, dicomPath, labelPath });
  }
  for (const [key, labelPath] of labels) {
    if (!dicoms.has(key)) problems.push(`${labelPath}: label without a DICOM (expected ${SOURCE_DIR}/${key.replace('/', `/${folder}/`)}.dcm)`);
  }
  return pairs.sort((a, b) => (a.personFolder === b.personFolder ? cmp(a.stem, b.stem) : cmp(a.personFolder, b.personFolder)));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
