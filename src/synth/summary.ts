/** What `gastric-ai synth` wrote, for its JSON output and DIR/synthetic-manifest.json. */

import { PatientPlan } from './types';
import type { Modality } from '../domain/modality';

export interface StudySummary {
  modality: Modality;
  studyInstanceUid: string;
  images: number;
  cancerImages: number;
  /** Source folder relative to the output directory. */
  folder: string;
}

export interface SynthSummary {
  seed: number;
  synthetic: true;
  notice: 'not for clinical use';
  patients: Array<PatientPlan & { studies: StudySummary[] }>;
}
