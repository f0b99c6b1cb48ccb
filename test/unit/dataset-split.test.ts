/** Patient-level stratified split (class balancing is the trainer's: trainer/tests/test_train.py). */
import { createRng } from '../../src/synth/rng';
import { SEED_STAGE_WEIGHTS } from '../../src/synth/plan';
import { STAGES } from '../../src/synth/types';
import { DatasetSplit, SPLIT_NAMES, splitByPatient, STRATA, stratumOf } from '../../src/training/dataset/split';
import type { DatasetImage, DatasetIndex, PatientRecord, Stage } from '../../src/training/dataset/types';

/** `n` fake patients in the seed's stage mix plus controls, each with 2–6 images. */
function fakeIndex(n: number, seed: number): DatasetIndex {
  const rng = createRng(seed);
  const images: DatasetImage[] = [];
  const patients: PatientRecord[] = [];
  for (let i = 0; i < n; i++) {
    const personId = `P${String(i).padStart(4, '0')}`;
    const stage: Stage | null = rng.chance(0.2) ? null : rng.weighted(STAGES, SEED_STAGE_WEIGHTS);
    const count = rng.int(2, 6);
    let cancerImages = 0;
    for (let seq = 1; seq <= count; seq++) {
      const cancer = stage !== null && rng.chance(0.5);
      if (cancer) cancerImages++;
      images.push({ dicomPath: `${personId}/${seq}.dcm`, labelPath: `${personId}/${seq}.json`, personId, sex: 'M', age: 60, stage, pathology: null, cancer, polygons: [], width: 8, height: 8, seq, studyKey: `${personId}_01` });
    }
    patients.push({ personId, sex: 'M', age: 60, stage, pathology: null, images: count, cancerImages });
  }
  return { root: '/fake', modality: 'ES', images, patients };
}

const FRACTIONS = { train: 0.7, validation: 0.15, test: 0.15 };

describe('splitByPatient', () => {
  const index = fakeIndex(200, 11);
  const split = splitByPatient(index, { ...FRACTIONS, seed: 1 });

  test('every patient in exactly one split, with all of its images', () => {
    const ids = SPLIT_NAMES.flatMap((s) => split[s].personIds);
    expect(new Set(ids).size).toBe(200);
    expect(ids.sort()).toEqual(index.patients.map((p) => p.personId).sort());
    for (const s of SPLIT_NAMES) {
      const mine = new Set(split[s].personIds);
      expect(split[s].images.every((img) => mine.has(img.personId))).toBe(true);
    }
    expect(SPLIT_NAMES.reduce((sum, s) => sum + split[s].images.length, 0)).toBe(index.images.length);
    expect(SPLIT_NAMES.map((s) => split[s].personIds.length)).toEqual([140, 30, 30]);
  });

  test('stratified: each split has the overall stage mix within a few percent', () => {
    const overall = Object.fromEntries(STRATA.map((st) => [st, index.patients.filter((p) => stratumOf(p) === st).length / 200]));
    expect(overall.control).toBeGreaterThan(0.1);
    for (const s of SPLIT_NAMES) {
      const row = split.summary[s];
      for (const st of STRATA) expect(Math.abs(row.strata[st] / row.patients - overall[st])).toBeLessThan(0.04);
    }
  });

  test('the summary counts patients, images and cancer images', () => {
    for (const s of SPLIT_NAMES) {
      const row = split.summary[s];
      expect(row.patients).toBe(split[s].personIds.length);
      expect(row.images).toBe(split[s].images.length);
      expect(row.cancerImages).toBe(split[s].images.filter((i) => i.cancer).length);
      expect(Object.values(row.strata).reduce((a, b) => a + b, 0)).toBe(row.patients);
    }
  });

  test('deterministic for a seed, different for another', () => {
    const ids = (x: DatasetSplit): string[][] => SPLIT_NAMES.map((s) => x[s].personIds);
    expect(ids(splitByPatient(fakeIndex(200, 11), { ...FRACTIONS, seed: 1 }))).toEqual(ids(split));
    expect(ids(splitByPatient(index, { ...FRACTIONS, seed: 2 }))).not.toEqual(ids(split));
  });

  test('every split gets a patient when there are enough; bad fractions are refused', () => {
    for (const n of [3, 4, 7]) {
      const small = splitByPatient(fakeIndex(n, 3), { train: 0.8, validation: 0.1, test: 0.1, seed: 4 });
      for (const s of SPLIT_NAMES) expect(small[s].personIds.length).toBeGreaterThan(0);
    }
    expect(splitByPatient(fakeIndex(10, 3), { train: 0.9, validation: 0.1, test: 0, seed: 4 }).test.personIds).toEqual([]);
    expect(() => splitByPatient(index, { train: 0.7, validation: 0.2, test: 0.2, seed: 1 })).toThrow('sum to 1');
    expect(() => splitByPatient(index, { train: 1.1, validation: -0.1, test: 0, seed: 1 })).toThrow('≥ 0');
  });
});
