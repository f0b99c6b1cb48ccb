/**
 * The seed layout's folder and file names (docs/dataset-format.md): `gastric-ai synth` writes them and the training
 * dataset reader (src/training/dataset) finds studies by them.
 */
import type { Modality } from '../domain/modality';

export const SOURCE_DIR = '원천데이터';
export const LABEL_DIR = '라벨링데이터';
export const CLINICAL_FILE = 'clinical.csv';
export const MODALITY_FOLDER: Record<Modality, string> = { ES: 'ENDO', CT: 'CT', PT: 'PET' };
