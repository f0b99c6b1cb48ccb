/** Reading the seed layout: every image with its facts, strict labels, orphans, NFD folder names, clinical.csv. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import type { SynthSummary } from '../../src/synth/summary';
import { parseClinicalTable } from '../../src/training/dataset/clinical';
import { LabelError, validateLabel } from '../../src/training/dataset/labels';
import { DatasetError, readDataset } from '../../src/training/dataset/reader';
import type { DatasetIndex } from '../../src/training/dataset/types';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-dataset-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SOURCE = '원천데이터';
const LABELS = '라벨링데이터';
let root: string;
let summary: SynthSummary;

beforeAll(() => {
  root = path.join(tmp, 'synth');
  fs.mkdirSync(root);
  summary = generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out: root, seed: 3, patients: 12, endoscopyImages: 3, ctSlices: 2, petSlices: 2 });
});

/** A copy of the dataset (DICOMs hard-linked: the reader never opens them) with renamed top folders if asked. */
function copyDataset(name: string, rename: (folder: string) => string = (f) => f): string {
  const dst = path.join(tmp, name);
  const walk = (from: string, to: string): void => {
    fs.mkdirSync(to, { recursive: true });
    for (const e of fs.readdirSync(from, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(from, e.name), path.join(to, e.name));
      else if (e.name.endsWith('.dcm')) fs.linkSync(path.join(from, e.name), path.join(to, e.name));
      else fs.copyFileSync(path.join(from, e.name), path.join(to, e.name));
    }
  };
  for (const top of [SOURCE, LABELS]) walk(path.join(root, top), path.join(dst, rename(top)));
  return dst;
}

const failure = async (promise: Promise<unknown>): Promise<DatasetError> => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  return error as DatasetError;
};

const relative = (index: DatasetIndex): unknown => index.images.map((i) => ({ ...i, dicomPath: path.relative(index.root, i.dicomPath), labelPath: path.relative(index.root, i.labelPath) }));

describe('readDataset', () => {
  test.each([
    ['ES', 'ENDO', 3, 640, 480, '01'],
    ['CT', 'CT', 2, 512, 512, '02'],
    ['PT', 'PET', 2, 128, 128, '03'],
  ] as const)('%s: every image with its patient facts, label and study', async (modality, folder, perPatient, width, height, study) => {
    const index = await readDataset(root, { modality });
    expect(index.images).toHaveLength(12 * perPatient);
    expect(index.patients.map((p) => p.personId)).toEqual(summary.patients.map((p) => p.personId).sort());
    for (const img of index.images) {
      const plan = summary.patients.find((p) => p.personId === img.personId)!;
      const label = JSON.parse(fs.readFileSync(img.labelPath, 'utf8'));
      expect(img).toMatchObject({ sex: plan.sex, age: plan.age, stage: plan.stage, width, height, polygons: label.annotations.map((a: { polygon: unknown }) => a.polygon) });
      expect(img.cancer).toBe(label.annotations.length > 0);
      expect(img.pathology).toBe(plan.stage === null ? 'normal' : 'adenocarcinoma');
      expect(img.studyKey).toBe(`${img.personId}_${study}`);
      expect(path.relative(root, img.dicomPath)).toBe(path.join(SOURCE, img.personId, folder, `${img.personId}_${study}_${String(img.seq).padStart(4, '0')}.dcm`));
      expect(path.relative(root, img.labelPath)).toBe(path.join(LABELS, img.personId, folder, `${img.personId}_${study}_${String(img.seq).padStart(4, '0')}.json`));
    }
    const cancerImages = summary.patients.reduce((s, p) => s + p.studies.find((st) => st.modality === modality)!.cancerImages, 0);
    expect(index.images.filter((i) => i.cancer)).toHaveLength(cancerImages);
    expect(index.patients.some((p) => p.stage === null) && index.patients.some((p) => p.stage !== null)).toBe(true);
  });

  test('a broken label fails with its file name and the JSON path of every problem', async () => {
    const copy = copyDataset('broken');
    const index = await readDataset(copy, { modality: 'ES' });
    const target = index.images.find((i) => i.cancer)!;
    const label = JSON.parse(fs.readFileSync(target.labelPath, 'utf8'));
    delete label.image.person_id;
    label.image.image_seq = 9;
    label.annotations[0].category = 'polyp';
    label.annotations[0].polygon[2] = [640, 10];
    label.annotations[0].polygon[3] = [-1, 479.5];
    fs.writeFileSync(target.labelPath, JSON.stringify(label));
    const error = await failure(readDataset(copy, { modality: 'ES' }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0].startsWith(`${target.labelPath}: invalid label (5 problems)`)).toBe(true);
    for (const p of ['image.person_id', 'image.image_seq', 'annotations[0].category', 'annotations[0].polygon[2]', 'annotations[0].polygon[3]']) {
      expect(error.message).toContain(`  ${p}: `);
    }
  });

  test('validateLabel: wrong types, unknown label_type, short polygons, a bad extension', () => {
    const file = '/data/x.json';
    const label = {
      image: { person_id: 7, sex: 'X', image_name: 'x.dcm', image_type: 'PNG', image_seq: 0, image_count: 1, width: 10, height: '10', phase_id: 0 },
      annotations: [{ category: 'cancer', label_type: 'bbox', polygon: [[1, 1], [2, 2]] }],
      gastric_ai_extension: { schema: 'gastric-ai-node/label-extension/v1', synthetic: true, age: 60, stage: 'V', pathology: 'normal', modality: 'ES', benign_finding: null, study_instance_uid: '1', series_instance_uid: '2', sop_instance_uid: '3' },
    };
    let error: unknown;
    try {
      validateLabel(file, label);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LabelError);
    const { message, problems } = error as LabelError;
    expect(message.startsWith(`${file}: invalid label`)).toBe(true);
    expect(problems.map((p) => p.path).sort()).toEqual(
      ['annotations[0].label_type', 'annotations[0].polygon', 'gastric_ai_extension.stage', 'image.height', 'image.image_seq', 'image.image_type', 'image.person_id', 'image.sex'].sort(),
    );
    expect(() => validateLabel(file, { ...label, image: { ...label.image, person_id: 'P', sex: 'M', image_type: 'DICOM', image_seq: 1, height: 10 }, annotations: [], gastric_ai_extension: undefined })).not.toThrow();
  });

  test('a DICOM without a label, and a label without a DICOM, fail naming the file', async () => {
    const copy = copyDataset('orphans');
    const person = fs.readdirSync(path.join(copy, SOURCE)).sort()[0];
    const orphanDicom = path.join(copy, SOURCE, person, 'ENDO', `${person}_01_0099.dcm`);
    fs.writeFileSync(orphanDicom, '');
    const orphanLabel = path.join(copy, LABELS, person, 'CT', `${person}_02_0001.json`);
    fs.renameSync(orphanLabel.replace(LABELS, SOURCE).replace(/json$/, 'dcm'), path.join(tmp, 'moved.dcm'));
    const es = await failure(readDataset(copy, { modality: 'ES' }));
    expect(es.problems).toHaveLength(1);
    expect(es.problems[0].startsWith(`${orphanDicom}: DICOM without a label`)).toBe(true);
    const ct = await failure(readDataset(copy, { modality: 'CT' }));
    expect(ct.problems).toHaveLength(1);
    expect(ct.problems[0].startsWith(`${orphanLabel}: label without a DICOM`)).toBe(true);
  });

  test('Korean folder names written decomposed (NFD, as macOS does) read the same', async () => {
    expect(Buffer.from(SOURCE.normalize('NFD'))).not.toEqual(Buffer.from(SOURCE));
    const copy = copyDataset('nfd', (f) => f.normalize('NFD'));
    expect(fs.readdirSync(copy).sort()).toEqual([SOURCE, LABELS].map((f) => f.normalize('NFD')).sort());
    const [nfc, nfd] = await Promise.all([readDataset(root, { modality: 'ES' }), readDataset(copy, { modality: 'ES' })]);
    expect(relative(nfd)).toEqual(JSON.parse(JSON.stringify(relative(nfc)).normalize('NFD')));
    expect(nfd.patients).toEqual(nfc.patients);
  });

  test('without the extension, stage, pathology and age come from clinical.csv; gaps and clashes are errors', async () => {
    const copy = copyDataset('clinical');
    for (const img of (await readDataset(copy, { modality: 'PT' })).images) {
      const label = JSON.parse(fs.readFileSync(img.labelPath, 'utf8'));
      delete label.gastric_ai_extension;
      fs.writeFileSync(img.labelPath, JSON.stringify(label));
    }
    const rows = summary.patients.map((p) => `${p.personId},${p.stage ?? ''},"${p.stage ? 'adenocarcinoma, tubular' : 'normal'}",${p.age}`);
    fs.writeFileSync(path.join(copy, 'clinical.csv'), `\uFEFFperson_id,stage,pathology,age\r\n${rows.join('\r\n')}\r\n`);
    const index = await readDataset(copy, { modality: 'PT' });
    expect(index.patients.map(({ personId, stage, age }) => ({ personId, stage, age }))).toEqual(
      summary.patients.map(({ personId, stage, age }) => ({ personId, stage, age })).sort((a, b) => (a.personId < b.personId ? -1 : 1)),
    );
    expect(index.images.find((i) => i.stage !== null)!.pathology).toBe('adenocarcinoma, tubular');
    // ES labels keep the extension: a clinical stage that disagrees with it is an error.
    const first = summary.patients[0];
    const changed = rows.map((r, i) => (i === 0 ? `${first.personId},${first.stage === 'I' ? 'II' : 'I'},x,${first.age}` : r));
    fs.writeFileSync(path.join(copy, 'clinical.csv'), `person_id,stage,pathology,age\n${changed.slice(1).join('\n')}\n`);
    expect((await failure(readDataset(copy, { modality: 'PT' }))).message).toContain(`person ${first.personId} has no row in clinical.csv`);
    fs.writeFileSync(path.join(copy, 'clinical.csv'), `person_id,stage,pathology,age\n${changed.join('\n')}\n`);
    expect((await failure(readDataset(copy, { modality: 'ES' }))).message).toMatch(/gastric_ai_extension\.stage .* differs from clinical\.csv/);
  });
});

describe('parseClinicalTable', () => {
  test('columns in any order, quotes, sub-stages, empty stage = control', () => {
    const table = parseClinicalTable('c.csv', 'age,pathology,person_id,stage,extra\n67,"adeno, ""signet"" ring",A1,IIIB,z\n,,A2,,\n');
    expect(table.get('A1')).toEqual({ personId: 'A1', stage: 'III', pathology: 'adeno, "signet" ring', age: 67 });
    expect(table.get('A2')).toEqual({ personId: 'A2', stage: null, pathology: null, age: null });
  });

  test('every bad row is listed with its line', () => {
    expect(() => parseClinicalTable('c.csv', 'person_id,stage,pathology,age\nA,V,,60\nA,I,,6.5\n,I,,\n')).toThrow(
      /c\.csv: invalid clinical table\n {2}line 2 stage: "V".*\n {2}line 3 person_id: A appears twice\n {2}line 3 age: "6\.5".*\n {2}line 4 person_id: empty/,
    );
    expect(() => parseClinicalTable('c.csv', 'person_id,stage\n')).toThrow('missing column(s) pathology, age');
  });
});
