/** What `gastric-ai synth` wrote, for its JSON output and DIR/synthetic-manifest.json. */
import { SynthModality } from './dicom-common';
import { PatientPlan } from './types';

export interface StudySummary {
  modality: SynthModality;
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
