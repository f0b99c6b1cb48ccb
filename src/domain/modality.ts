/**
 * The modalities a gastric model is trained for (its manifest's `modality`): endoscopy (ES), CT and PET (PT).
 * A model reads images of its kind; which DICOM series those are (a Secondary Capture still with modality OT, say)
 * is decided by the routing rules, not by this type.
 */
export const MODEL_MODALITIES = ['ES', 'CT', 'PT'] as const;
export type Modality = (typeof MODEL_MODALITIES)[number];

/** A DICOM Modality code (CS, PS3.3 C.7.3.1.1.1): what a series says it is (ES, CT, PT, OT, XC…), any model or none. */
export function isDicomModalityCode(value: string): boolean {
  return /^[A-Z0-9_]{1,16}$/.test(value);
}

export function isModality(value: string): value is Modality {
  return (MODEL_MODALITIES as readonly string[]).includes(value);
}
