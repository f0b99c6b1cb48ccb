/**
 * Train/validation/test split by patient: images of one patient are strongly correlated (same stomach, same lesion
 * seen from several angles), so splitting images would leak the test set into training.
 *
 * Stratified by the patient's stage so each split sees the seed's skewed mix (I 62 %, IV 25 %, II and III 6.5 % each):
 * patients are shuffled within each stratum, the strata are laid end to end, and the sequence is dealt to the split
 * furthest behind its target count. Any run of the sequence (so every stratum) is then shared within about one patient
 * of the fractions, and the totals are exact.
 */
import { createRng } from '../../synth/rng';
import type { DatasetImage, DatasetIndex, PatientRecord, Stage } from './types';

export type SplitName = 'train' | 'validation' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test'];

/** The patient's stage; `control` without cancer, `unknown` with cancer images but no stage in label or clinical.csv. */
export type Stratum = Stage | 'unknown' | 'control';
export const STRATA: readonly Stratum[] = ['I', 'II', 'III', 'IV', 'unknown', 'control'];

export type SplitOptions = Record<SplitName, number> & { seed: number };

export interface SplitPart {
  personIds: string[];
  /** In the index's order. */
  images: DatasetImage[];
}

export interface SplitSummaryRow {
  patients: number;
  images: number;
  cancerImages: number;
  /** Patients per stratum. */
  strata: Record<Stratum, number>;
}

export type DatasetSplit = Record<SplitName, SplitPart> & { summary: Record<SplitName, SplitSummaryRow> };

export const stratumOf = (p: PatientRecord): Stratum => p.stage ?? (p.cancerImages > 0 ? 'unknown' : 'control');

/** Patients per split: largest remainder, then one patient moved to each empty split that asked for some. */
function targetCounts(n: number, options: SplitOptions): number[] {
  const exact = SPLIT_NAMES.map((s) => n * options[s]);
  const counts = exact.map(Math.floor);
  const byRemainder = SPLIT_NAMES.map((_, i) => i).sort((a, b) => exact[b] - counts[b] - (exact[a] - counts[a]) || a - b);
  let left = n - counts.reduce((s, c) => s + c, 0);
  for (const k of byRemainder) {
    if (left-- <= 0) break;
    counts[k]++;
  }
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 0 || options[SPLIT_NAMES[i]] === 0) continue;
    const donor = counts.indexOf(Math.max(...counts));
    if (counts[donor] < 2) break; // too few patients for every split
    counts[donor]--;
    counts[i]++;
  }
  return counts;
}

function checkFractions(options: SplitOptions): void {
  const values = SPLIT_NAMES.map((s) => options[s]);
  if (values.some((v) => !Number.isFinite(v) || v < 0)) throw new RangeError(`split fractions must be ≥ 0: ${values.join(', ')}`);
  const sum = values.reduce((s, v) => s + v, 0);
  if (Math.abs(sum - 1) > 1e-6) throw new RangeError(`split fractions must sum to 1, got ${sum}`);
}

function emptyStrata(): Record<Stratum, number> {
  return Object.fromEntries(STRATA.map((s) => [s, 0])) as Record<Stratum, number>;
}

export function splitByPatient(index: DatasetIndex, options: SplitOptions): DatasetSplit {
  checkFractions(options);
  const rng = createRng(options.seed);
  // Strata in a fixed order, patients sorted before shuffling: the result depends only on the seed and the patients.
  const sequence = STRATA.flatMap((stratum) => {
    const fork = rng.fork(stratum);
    const members = index.patients.filter((p) => stratumOf(p) === stratum).sort((a, b) => (a.personId < b.personId ? -1 : 1));
    for (let i = members.length - 1; i > 0; i--) {
      const j = fork.int(0, i);
      [members[i], members[j]] = [members[j], members[i]];
    }
    return members;
  });
  const n = sequence.length;
  const targets = targetCounts(n, options);
  const dealt = SPLIT_NAMES.map(() => 0);
  const assigned = new Map<string, number>();
  sequence.forEach((patient, i) => {
    let best = -1;
    for (let k = 0; k < targets.length; k++) {
      if (dealt[k] >= targets[k]) continue;
      const deficit = (targets[k] * (i + 1)) / n - dealt[k];
      if (best < 0 || deficit > (targets[best] * (i + 1)) / n - dealt[best]) best = k;
    }
    dealt[best]++;
    assigned.set(patient.personId, best);
  });

  const parts = SPLIT_NAMES.map((): SplitPart => ({ personIds: [], images: [] }));
  const rows = SPLIT_NAMES.map((): SplitSummaryRow => ({ patients: 0, images: 0, cancerImages: 0, strata: emptyStrata() }));
  for (const p of index.patients) {
    const k = assigned.get(p.personId) as number;
    parts[k].personIds.push(p.personId);
    rows[k].patients++;
    rows[k].strata[stratumOf(p)]++;
  }
  for (const img of index.images) {
    const k = assigned.get(img.personId);
    if (k === undefined) throw new Error(`${img.labelPath}: person ${img.personId} is not among the index's patients`);
    parts[k].images.push(img);
    rows[k].images++;
    if (img.cancer) rows[k].cancerImages++;
  }
  return {
    train: parts[0],
    validation: parts[1],
    test: parts[2],
    summary: { train: rows[0], validation: rows[1], test: rows[2] },
  };
}
