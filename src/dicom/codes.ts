/**
 * Every coded concept the node writes, in one place (highdicom keeps its codes the same way). A Code is a value:
 * two codes are equal when scheme and value match; the meaning is display text only (PS3.3 8.1, PS3.16 8).
 * Each constant cites where PS3.16 (or the terminology it points to) defines it.
 */

export class Code {
  readonly value: string;
  readonly scheme: string;
  readonly meaning: string;
  readonly schemeVersion?: string;

  constructor(options: { value: string; scheme: string; meaning: string; schemeVersion?: string }) {
    // PS3.3 8.1: Code Value SH (<= 16 chars; longer values go in Long Code Value UC), CSD SH, Code Meaning LO.
    if (!options.value || options.value.length > 64) throw new Error(`Code: invalid code value "${options.value}"`);
    if (!options.scheme || options.scheme.length > 16) throw new Error(`Code: invalid coding scheme "${options.scheme}"`);
    if (!options.meaning || options.meaning.length > 64) throw new Error(`Code: invalid code meaning "${options.meaning}"`);
    this.value = options.value;
    this.scheme = options.scheme;
    this.meaning = options.meaning;
    if (options.schemeVersion !== undefined) this.schemeVersion = options.schemeVersion;
  }

  equals(other: Code | null | undefined): boolean {
    return !!other && other.value === this.value && other.scheme === this.scheme;
  }

  toString(): string {
    return `(${this.value}, ${this.scheme}, "${this.meaning}")`;
  }
}

const dcm = (value: string, meaning: string): Code => new Code({ value, scheme: 'DCM', meaning });
const sct = (value: string, meaning: string): Code => new Code({ value, scheme: 'SCT', meaning });

/** Document titles and containers of TID 1500 (CID 7021, PS3.16 TID 1500/1501/1600). */
export const CODES = {
  imagingMeasurementReport: dcm('126000', 'Imaging Measurement Report'), // CID 7021
  imageLibrary: dcm('111028', 'Image Library'), // TID 1600
  imageLibraryGroup: dcm('126200', 'Image Library Group'), // TID 1601
  imagingMeasurements: dcm('126010', 'Imaging Measurements'), // TID 1500 row 6
  measurementGroup: dcm('125007', 'Measurement Group'), // TID 1501 row 1
  qualitativeEvaluations: new Code({ value: 'C0034375', scheme: 'UMLS', meaning: 'Qualitative Evaluations' }), // TID 1500 row 12

  // TID 1204 language of content: CID 5000 language, RFC 5646 tag.
  languageOfContent: dcm('121049', 'Language of Content Item and Descendants'),
  englishUS: new Code({ value: 'en-US', scheme: 'RFC5646', meaning: 'English (United States)' }), // CID 5000

  // TID 1001 / TID 1004 device observer (CID 270 observer type).
  observerType: dcm('121005', 'Observer Type'),
  device: dcm('121007', 'Device'),
  deviceObserverUid: dcm('121012', 'Device Observer UID'),
  deviceObserverName: dcm('121013', 'Device Observer Name'),
  deviceObserverManufacturer: dcm('121014', 'Device Observer Manufacturer'),
  deviceObserverModelName: dcm('121015', 'Device Observer Model Name'),

  // TID 1500 row 4: procedure reported; value from CID 100 (PixelMed rejects codes outside it, e.g. EGD 76009000).
  procedureReported: dcm('121058', 'Procedure reported'),
  imagingProcedure: sct('363679005', 'Imaging procedure'), // CID 100 Quantitative Diagnostic Imaging Procedures

  // TID 1501 rows 2-3: tracking.
  trackingIdentifier: dcm('112039', 'Tracking Identifier'),
  trackingUniqueIdentifier: dcm('112040', 'Tracking Unique Identifier'),

  // TID 1501 rows 3b and 6: finding and finding site.
  finding: dcm('121071', 'Finding'),
  findingSite: sct('363698007', 'Finding Site'),
  // SNOMED CT disorder; no CID lists gastric cancer and the Finding value set is open (TID 1501 row 3b: "*").
  malignantTumorOfStomach: sct('363349007', 'Malignant tumor of stomach'),
  stomach: sct('69695003', 'Stomach'), // CID 4031 Common Anatomic Regions, CID 4030

  // TID 300 measurement: probability (CID 6048 CAD Operating Point Axis Label), unit UCUM unity "1" (dimensionless).
  probabilityOfCancer: dcm('111047', 'Probability of cancer'),
  noUnits: new Code({ value: '1', scheme: 'UCUM', meaning: 'no units' }),

  // TID 4019 algorithm identification.
  algorithmName: dcm('111001', 'Algorithm Name'),
  algorithmVersion: dcm('111003', 'Algorithm Version'),
  algorithmParameters: dcm('111002', 'Algorithm Parameters'),

  // Reference to a segment of a Segmentation instance (TID 1411 row 8). Read, not written: our TID 1501 groups carry
  // the SEG reference as an unnamed IMAGE with Referenced Segment Number (see sr/content.ts referencedSegment).
  referencedSegment: dcm('121191', 'Referenced Segment'),
  referencedSegmentationFrame: dcm('121214', 'Referenced Segmentation Frame'), // TID 1410 row 10
  sourceImageForSegmentation: dcm('121233', 'Source image for segmentation'), // TID 1410 row 12

  // PS3.16 Annex D; TID 1500 row 14 takes a TEXT of any concept name: our "not for clinical use" statement.
  comment: dcm('121106', 'Comment'),

  // Study-level "cancer suspected" yes/no.
  yes: sct('373066001', 'Yes'), // CID 231
  no: sct('373067005', 'No'), // CID 231
} as const;

/**
 * Stage: concept name "Tumor stage finding" (SCT 385356007; PS3.16 TID 4207 row 17 uses it with CID 6068).
 * CID 6068 (AJCC stage groups) only has Stage I and IV as whole groups (II and III are split into A/B/C), and our
 * model predicts I-IV, so the values are the SNOMED CT qualifier values "Stage 1-4" (CID 6068 is extensible).
 */
export const STAGE_CONCEPT = sct('385356007', 'Tumor stage finding');
export const STAGE_CODES = {
  I: sct('258215001', 'Stage 1'),
  II: sct('258219007', 'Stage 2'),
  III: sct('258224005', 'Stage 3'),
  IV: sct('258228008', 'Stage 4'),
} as const;

/**
 * Triage priority: no DICOM context group codes a reading priority, so the concept is SNOMED CT "Priorities"
 * (272125009) and the values are its children used for reporting priority (HL7 reporting priority value set):
 * urgent → Urgent, suspicious → As soon as possible, routine → Routine.
 */
export const PRIORITY_CONCEPT = sct('272125009', 'Priorities');
export const PRIORITY_CODES = {
  urgent: sct('103391001', 'Urgent'),
  suspicious: sct('709122007', 'As soon as possible'),
  routine: sct('50811001', 'Routine'),
} as const;

/** Study-level "cancer suspected": Finding (121071) phrased as malignant tumour of stomach present = yes/no. */
export const CANCER_SUSPECTED_CONCEPT = CODES.malignantTumorOfStomach;
