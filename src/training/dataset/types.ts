/** What the dataset reader produces and the split, balancing and training steps consume. */
import type { Polygon, Stage } from '../../synth/types';
import type { Modality } from '../../domain/modality';

export type { Polygon, Stage };

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
  modality: Modality;
  /** Sorted by person, then file name. */
  images: DatasetImage[];
  /** Sorted by personId. */
  patients: PatientRecord[];
}

/** The seed layout's folders (docs/dataset-format.md), defined beside the generator that writes them. */
export { CLINICAL_FILE, LABEL_DIR, MODALITY_FOLDER, SOURCE_DIR } from '../../synth/dataset-layout';
