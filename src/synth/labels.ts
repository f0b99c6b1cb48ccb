/**
 * The seed collection's per-image JSON label (docs/dataset-format.md). Fields beyond the seed's go in
 * `gastric_ai_extension` so a reader of the real collection sees exactly the seed's shape.
 */
import { Polygon, Stage } from './types';
import { Modality } from '../domain/modality';

export const LABEL_EXTENSION_SCHEMA = 'gastric-ai-node/label-extension/v1';

export interface SeedAnnotation {
  category: 'cancer';
  label_type: 'polygon';
  polygon: Polygon;
}

export interface SeedImageInfo {
  person_id: string;
  sex: 'M' | 'F';
  image_name: string;
  image_type: 'DICOM';
  image_seq: number;
  image_count: number;
  width: number;
  height: number;
  phase_id: number;
}

export interface LabelExtension {
  schema: typeof LABEL_EXTENSION_SCHEMA;
  synthetic: true;
  age: number;
  /** Patient's stage; null for a control without cancer. */
  stage: Stage | null;
  pathology: 'adenocarcinoma' | 'normal';
  modality: Modality;
  /** Benign look-alike drawn in a normal endoscopy frame (still labelled normal). */
  benign_finding: 'polyp' | 'erosion' | null;
  study_instance_uid: string;
  series_instance_uid: string;
  sop_instance_uid: string;
}

export interface SeedLabel {
  image: SeedImageInfo;
  annotations: SeedAnnotation[];
  gastric_ai_extension: LabelExtension;
}

/** phase_id: 0 not applicable (endoscopy), 2 portal venous CT, 3 PET static emission (our reading of the field). */
export const PHASE_ID: Record<Modality, number> = { ES: 0, CT: 2, PT: 3 };

export function seedLabel(image: SeedImageInfo, polygons: Polygon[], extension: Omit<LabelExtension, 'schema' | 'synthetic'>): SeedLabel {
  return {
    image,
    annotations: polygons.map((polygon) => ({ category: 'cancer', label_type: 'polygon', polygon })),
    gastric_ai_extension: { schema: LABEL_EXTENSION_SCHEMA, synthetic: true, ...extension },
  };
}
