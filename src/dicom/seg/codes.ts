/**
 * The coded concepts a Segmentation carries. Kept here until src/dicom/codes.ts holds them (one module for codes).
 * Category from CID 7150 (Segmentation Property Categories), type from CID 7151 / CID 7159 (a morphologic
 * abnormality, not a disorder: "Malignant tumor of stomach" is a diagnosis and belongs in the SR), region CID 4031.
 */
/** A code sequence item as written (PS3.3 Table 8.8-1); src/dicom/codes.ts has the Code value class. */
export interface CodeItem {
  CodeValue: string;
  CodingSchemeDesignator: string;
  CodeMeaning: string;
}

export const code = (value: string, scheme: string, meaning: string): CodeItem => ({ CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning });

export const SEG_CODES = {
  morphologicallyAbnormalStructure: code('49755003', 'SCT', 'Morphologically abnormal structure'),
  neoplasm: code('108369006', 'SCT', 'Neoplasm'),
  stomach: code('69695003', 'SCT', 'Stomach'),
  /** CID 7162 Algorithm Families. */
  artificialIntelligence: code('123110', 'DCM', 'Artificial Intelligence'),
  /** CID 7202 Source Image Purposes of Reference. */
  sourceImageForProcessing: code('121322', 'DCM', 'Source image for image processing operation'),
  /** CID 7203 Image Derivation. */
  segmentation: code('113076', 'DCM', 'Segmentation'),
} as const;

export function isCode(v: unknown): v is CodeItem {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return [c.CodeValue, c.CodingSchemeDesignator, c.CodeMeaning].every((s) => typeof s === 'string' && s.length > 0);
}
