/**
 * Reads a dataset in the seed layout (docs/dataset-format.md) for one modality into a DatasetIndex. Only labels are
 * read; pixels are decoded later, by the training loop, one batch at a time.
 *
 * Patient facts: sex from the label; stage, pathology and age from the label's gastric_ai_extension (synthetic data) or
 * from root/clinical.csv (the real collection; format in clinical.ts). Where both exist they must agree. Every problem
 * in the dataset is collected and thrown together as one DatasetError.
 */
import * as path from 'path';
import { ClinicalRecord, ClinicalTableError, readClinicalTable } from './clinical';
import { Label, LabelError, readLabel } from './labels';
import { FilePair, pairFiles } from './layout';
import { CLINICAL_FILE, DatasetImage, DatasetIndex, MODALITY_FOLDER, PatientRecord, Stage } from './types';
import type { Modality } from '../../domain/modality';

export class DatasetError extends Error {
  constructor(
    readonly root: string,
    readonly problems: string[],
  ) {
    const shown = problems.slice(0, MAX_LISTED);
    const more = problems.length > MAX_LISTED ? `\n  … and ${problems.length - MAX_LISTED} more` : '';
    super(`${root}: dataset has ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${shown.map((p) => `  ${p.replace(/\n/g, '\n  ')}`).join('\n')}${more}`);
    this.name = 'DatasetError';
  }
}

const MAX_LISTED = 200;
/** Labels read at once: enough to hide file system latency, few enough to stay under open-file limits. */
const READ_CONCURRENCY = 32;

export interface ReadDatasetOptions {
  modality: Modality;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

interface PatientFacts {
  stage: Stage | null;
  pathology: string | null;
  age: number | null;
}

/** Stage, pathology and age from the label's extension and the clinical row; disagreements are problems. */
function patientFacts(pair: FilePair, label: Label, personId: string, clinical: Map<string, ClinicalRecord> | null, problems: string[]): PatientFacts {
  const ext = label.gastric_ai_extension;
  const row = clinical?.get(personId);
  if (ext === undefined && row === undefined) {
    if (clinical !== null) problems.push(`${pair.labelPath}: person ${personId} has no row in ${CLINICAL_FILE} and the label has no stage`);
    return { stage: null, pathology: null, age: null };
  }
  if (ext !== undefined && row !== undefined) {
    const clash = (field: string, a: unknown, b: unknown): void => {
      problems.push(`${pair.labelPath}: gastric_ai_extension.${field} ${JSON.stringify(a)} differs from ${CLINICAL_FILE} (${JSON.stringify(b)})`);
    };
    // A null stage is a fact (a control) on both sides; a null age in the table only means unknown.
    if (ext.stage !== row.stage) clash('stage', ext.stage, row.stage);
    if (row.age !== null && ext.age !== row.age) clash('age', ext.age, row.age);
  }
  if (row !== undefined) return { stage: row.stage, pathology: row.pathology ?? ext?.pathology ?? null, age: row.age ?? ext?.age ?? null };
  const e = ext as NonNullable<typeof ext>;
  return { stage: e.stage, pathology: e.pathology, age: e.age };
}

function toImage(pair: FilePair, label: Label, modality: Modality, clinical: Map<string, ClinicalRecord> | null, problems: string[]): DatasetImage {
  const { image } = label;
  const personId = image.person_id.normalize('NFC');
  const where = pair.labelPath;
  if (personId !== pair.personFolder) problems.push(`${where}: image.person_id "${personId}" does not match its folder "${pair.personFolder}"`);
  if (image.image_name.normalize('NFC') !== path.basename(pair.dicomPath).normalize('NFC')) {
    problems.push(`${where}: image.image_name "${image.image_name}" does not match ${path.basename(pair.dicomPath)}`);
  }
  const extModality = label.gastric_ai_extension?.modality;
  if (extModality !== undefined && extModality !== modality) problems.push(`${where}: gastric_ai_extension.modality ${extModality} in a ${MODALITY_FOLDER[modality]} folder`);
  // Seed names are <person>_<study>_<seq>; anything else counts as one study per modality folder.
  const study = /^(.+)_(\d+)_(\d+)$/.exec(pair.stem);
  return {
    dicomPath: pair.dicomPath,
    labelPath: pair.labelPath,
    personId,
    sex: image.sex,
    ...patientFacts(pair, label, personId, clinical, problems),
    cancer: label.annotations.length > 0,
    polygons: label.annotations.map((a) => a.polygon),
    width: image.width,
    height: image.height,
    seq: image.image_seq,
    studyKey: study ? `${study[1]}_${study[2]}` : `${personId}_${MODALITY_FOLDER[modality]}`,
  };
}

/** One record per patient; images of one patient that disagree on sex, age or stage are problems. */
function patientsOf(images: DatasetImage[], problems: string[]): PatientRecord[] {
  const byId = new Map<string, PatientRecord>();
  const seqs = new Set<string>();
  for (const img of images) {
    const seqKey = `${img.studyKey}#${img.seq}`;
    if (seqs.has(seqKey)) problems.push(`${img.labelPath}: image.image_seq ${img.seq} appears twice in study ${img.studyKey}`);
    seqs.add(seqKey);
    const p = byId.get(img.personId);
    if (p === undefined) {
      const { personId, sex, age, stage, pathology } = img;
      byId.set(personId, { personId, sex, age, stage, pathology, images: 1, cancerImages: img.cancer ? 1 : 0 });
      continue;
    }
    for (const field of ['sex', 'age', 'stage'] as const) {
      if (p[field] !== img[field]) problems.push(`${img.labelPath}: ${field} ${JSON.stringify(img[field])} differs from other images of ${p.personId} (${JSON.stringify(p[field])})`);
    }
    p.images++;
    if (img.cancer) p.cancerImages++;
  }
  return [...byId.values()].sort((a, b) => (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0));
}

export async function readDataset(root: string, options: ReadDatasetOptions): Promise<DatasetIndex> {
  const problems: string[] = [];
  const pairs = await pairFiles(root, options.modality, problems);
  let clinical: Map<string, ClinicalRecord> | null = null;
  try {
    clinical = await readClinicalTable(path.join(root, CLINICAL_FILE));
  } catch (e) {
    if (!(e instanceof ClinicalTableError)) throw e;
    problems.push(e.message);
  }
  const labels = await mapLimit(pairs, READ_CONCURRENCY, async (pair) => {
    try {
      return await readLabel(pair.labelPath);
    } catch (e) {
      if (!(e instanceof LabelError)) throw e;
      problems.push(e.message);
      return null;
    }
  });
  const images: DatasetImage[] = [];
  pairs.forEach((pair, i) => {
    const label = labels[i];
    if (label !== null) images.push(toImage(pair, label, options.modality, clinical, problems));
  });
  const patients = patientsOf(images, problems);
  if (pairs.length === 0 && problems.length === 0) problems.push(`no ${MODALITY_FOLDER[options.modality]} images found`);
  // Sorted so the list reads file by file whatever order the reads finished in.
  if (problems.length > 0) throw new DatasetError(root, problems.sort());
  return { root, modality: options.modality, images, patients };
}
