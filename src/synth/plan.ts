/** Who the synthetic patients are and what each study shows, drawn from the seed collection's statistics. */
import { Rng } from './rng';
import { PatientPlan, Stage, STAGES } from './types';

/** The seed collection's stage mix (I 62.2 %, II 6.5 %, III 6.5 %, IV 24.7 %) and sex ratio (61 % male). */
export const SEED_STAGE_WEIGHTS: readonly number[] = [62.2, 6.5, 6.5, 24.7];
export const SEED_MALE_FRACTION = 0.61;

export interface PlanOptions {
  seed: number;
  patients: number;
  /** Fraction of patients without cancer (controls; the seed collection has none, the node needs negatives). */
  normalFraction: number;
}

export const personId = (seed: number, index: number): string => `SYN${seed}-${String(index + 1).padStart(4, '0')}`;

export function planPatients(rng: Rng, options: PlanOptions): PatientPlan[] {
  const plans: PatientPlan[] = [];
  for (let i = 0; i < options.patients; i++) {
    const r = rng.fork(`patient-${i}`);
    const sex = r.chance(SEED_MALE_FRACTION) ? 'M' : 'F';
    // Gastric cancer peaks in the 60s; clip to an adult range.
    const age = Math.round(Math.min(89, Math.max(28, r.normal(63, 11))));
    const control = r.chance(options.normalFraction);
    const stage: Stage | null = control ? null : r.weighted(STAGES, SEED_STAGE_WEIGHTS);
    plans.push({ personId: personId(options.seed, i), sex, age, stage });
  }
  return plans;
}

export interface EndoscopyFramePlan {
  /** Cancer drawn in this frame, or null. */
  cancer: { stage: Stage; lesionIndex: number } | null;
  benign: 'polyp' | 'erosion' | null;
}

/**
 * An EGD series: for a cancer patient about half the frames show the lesion (as in the seed, where a study mixes
 * lesion and survey frames); other frames are normal, some with benign look-alikes that stay labelled normal.
 */
export function planEndoscopyFrames(rng: Rng, patient: PatientPlan, count: number): EndoscopyFramePlan[] {
  const cancerFrames = patient.stage === null ? 0 : Math.max(1, Math.round(count * rng.uniform(0.35, 0.65)));
  const first = rng.int(0, count - cancerFrames);
  const frames: EndoscopyFramePlan[] = [];
  for (let i = 0; i < count; i++) {
    const isCancer = patient.stage !== null && i >= first && i < first + cancerFrames;
    frames.push({
      cancer: isCancer ? { stage: patient.stage as Stage, lesionIndex: i - first } : null,
      benign: isCancer ? null : rng.weighted(['polyp', 'erosion', null] as const, [0.15, 0.15, 0.7]),
    });
  }
  return frames;
}
