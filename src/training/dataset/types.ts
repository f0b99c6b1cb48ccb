/** What the dataset reader produces and the split, balancing and training steps consume. */
import type { Polygon, Stage } from '../../synth/types';

export type { Polygon, Stage };
export type DatasetModality = 'ES' | 'CT' | 'PT';

/** One labelled image: the DICOM is not decoded here, only its label is read. */
export interface DatasetImage {
  dicomPath: string;
  labelPath: string;
  personId: string;
  sex: 'M' | 'F';
  age: number | null;
  /** Patient's stage; null for a control, or where neither the label nor clinical.csv gives one. */
  stage: Stage | null;
  pathology: string | null;
  /** The label has at least one cancer region. */
  cancer: boolean;
  polygons: Polygon[];
  width: number;
  height: number;
  /** image_seq: 1-based number within the study. */
  seq: number;
  /** `<person_id>_<study>` from the file name (one study per modality folder in the seed layout). */
  studyKey: string;
}

export interface PatientRecord {
  personId: string;
  sex: 'M' | 'F';
  age: number | null;
  stage: Stage | null;
  pathology: string | null;
  images: number;
  cancerImages: number;
}

export interface DatasetIndex {
  root: string;
  modality: DatasetModality;
  /** Sorted by person, then file name. */
  images: DatasetImage[];
  /** Sorted by personId. */
  patients: PatientRecord[];
}

/** The seed layout's folders (docs/dataset-format.md); the same names `gastric-ai synth` writes. */
export const SOURCE_DIR = '원천데이터';
export const LABEL_DIR = '라벨링데이터';
export const CLINICAL_FILE = 'clinical.csv';
export const MODALITY_FOLDER: Record<DatasetModality, string> = { ES: 'ENDO', CT: 'CT', PT: 'PET' };
