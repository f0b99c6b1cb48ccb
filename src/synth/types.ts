/** Contracts between the synthetic-study planner, the per-modality renderers and the DICOM/label writers. */

export type Stage = 'I' | 'II' | 'III' | 'IV';
export const STAGES: readonly Stage[] = ['I', 'II', 'III', 'IV'];

/** A closed polygon in pixel coordinates of its image, [x (column), y (row)] pairs, first point not repeated. */
export type Polygon = Array<[number, number]>;

/** What one synthetic patient has: stage null means a control without cancer. */
export interface PatientPlan {
  personId: string;
  sex: 'M' | 'F';
  age: number;
  stage: Stage | null;
}

/** One rendered endoscopy still: interleaved RGB, 8 bit, row-major. */
export interface EndoscopyImage {
  width: number;
  height: number;
  rgb: Uint8Array;
  /** Outline of each drawn cancer lesion; empty for a normal image (benign look-alikes are not labelled). */
  cancerPolygons: Polygon[];
  /** What a normal image shows instead, for the label's extension object. */
  benignFinding: 'polyp' | 'erosion' | null;
}

/** One axial slice plus its label. */
export interface SliceImage<T extends Int16Array | Uint16Array> {
  pixels: T;
  /** Lesion outlines in this slice (cancer only). */
  cancerPolygons: Polygon[];
}

/** An axial CT series: stored values are signed 16 bit, HU = stored * slope + intercept. */
export interface CtSeries {
  rows: number;
  columns: number;
  /** [row spacing, column spacing] in mm. */
  pixelSpacing: [number, number];
  sliceThickness: number;
  /** ImagePositionPatient of each slice (mm); orientation is axial 1\0\0\0\1\0. */
  positions: Array<[number, number, number]>;
  rescaleSlope: number;
  rescaleIntercept: number;
  slices: Array<SliceImage<Int16Array>>;
  /** Wall thickness and lesion facts for the label extension. */
  findings: { maxWallThicknessMm: number; lesionCount: number };
}

/** A PET series in Bq/ml: activity = stored * rescaleSlope[i] (+0), decay corrected to the series start. */
export interface PetSeries {
  rows: number;
  columns: number;
  pixelSpacing: [number, number];
  sliceThickness: number;
  positions: Array<[number, number, number]>;
  /** One slope per slice (PET stores each slice with its own scale). */
  rescaleSlopes: number[];
  slices: Array<SliceImage<Uint16Array>>;
  /** Acquisition facts SUVbw needs. */
  patientWeightKg: number;
  injectedDoseBq: number;
  halfLifeS: number;
  /** Seconds from injection to series start. */
  uptakeS: number;
  findings: { suvMax: number; distantHotSpots: number };
}
