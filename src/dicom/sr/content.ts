/**
 * Purpose-built content items (highdicom's sr/content.py layer): each fixes the concept name, value type and
 * relationship that a template row asks for, so templates cannot get them wrong.
 */
import { Code, CODES } from '../codes';
import { CodeItem, ImageItem, NumItem, RelationshipType, ScoordItem, SopReference, TextItem, UidRefItem } from './value-types';

/** TID 1204 row 1: language of the content tree, e.g. en-US. */
export const languageOfContent = (language: Code = CODES.englishUS): CodeItem =>
  new CodeItem({ relationship: 'HAS CONCEPT MOD', name: CODES.languageOfContent, value: language });

/** TID 1500 row 4: the procedure reported (a CID 100 value). */
export const procedureReported = (procedure: Code = CODES.imagingProcedure): CodeItem =>
  new CodeItem({ relationship: 'HAS CONCEPT MOD', name: CODES.procedureReported, value: procedure });

/** TID 1501 row 2: a human-readable tracking identifier (OHIF keys its adapters on this text). */
export const trackingIdentifier = (value: string): TextItem =>
  new TextItem({ relationship: 'HAS OBS CONTEXT', name: CODES.trackingIdentifier, value });

/** TID 1501 row 3: the tracking UID that ties one finding across reports. */
export const trackingUid = (value: string): UidRefItem =>
  new UidRefItem({ relationship: 'HAS OBS CONTEXT', name: CODES.trackingUniqueIdentifier, value });

/** TID 1501 row 3b: what was found. */
export const finding = (value: Code): CodeItem => new CodeItem({ relationship: 'CONTAINS', name: CODES.finding, value });

/** TID 1501 row 6: where it was found (CID 4 anatomic region). */
export const findingSite = (value: Code): CodeItem => new CodeItem({ relationship: 'HAS CONCEPT MOD', name: CODES.findingSite, value });

/** A source image (Image Library entry, or the SELECTED FROM target of a region). */
export const sourceImage = (options: { reference: SopReference; frame?: number; relationship: RelationshipType }): ImageItem =>
  new ImageItem({ relationship: options.relationship, reference: options.reference, ...(options.frame ? { frames: [options.frame] } : {}) });

/**
 * A region of one image (TID 320 row 2): SCOORD in pixel (column, row) coordinates SELECTED FROM the image. OHIF
 * reads the image from the SCOORD's first child, so that is where it goes.
 */
export function imageRegion(options: {
  relationship: RelationshipType;
  points: Array<[number, number]>;
  graphicType?: 'POLYLINE' | 'POINT' | 'MULTIPOINT';
  image: SopReference;
  frame?: number;
}): ScoordItem {
  return new ScoordItem({
    relationship: options.relationship,
    graphicType: options.graphicType ?? 'POLYLINE',
    points: options.points,
    children: [sourceImage({ reference: options.image, relationship: 'SELECTED FROM', ...(options.frame ? { frame: options.frame } : {}) })],
  });
}

/** Closed rectangle TL, TR, BR, BL, TL around a pixel box (PS3.3 C.18.6.1.2: closed POLYLINE repeats the first point). */
export function rectangle(box: { x: number; y: number; width: number; height: number }): Array<[number, number]> {
  if (!(box.width > 0 && box.height > 0)) throw new Error('rectangle: empty box');
  const { x, y } = box;
  const right = x + box.width;
  const bottom = y + box.height;
  return [[x, y], [right, y], [right, bottom], [x, bottom], [x, y]];
}

/**
 * The SEG segment of a finding and the image it was segmented on, as named IMAGE items in the measurement group
 * (TID 1410 rows 10 and 12: Referenced Segmentation Frame 121214, Source image for segmentation 121233). Named, they
 * are valid for all three validators (PixelMed reads the group as TID 1410: warnings only) and OHIF 3.13 loads the
 * group: it filters group items by ConceptNameCodeSequence and throws on an unnamed IMAGE, leaving the SR blank.
 * Inside the NUM next to the SCOORD is no alternative: TID 320 allows only one of IMAGE/SCOORD.
 */
export const segmentationReferences = (options: { segmentation: SopReference; segmentNumber: number; sourceImage: SopReference }): ImageItem[] => [
  new ImageItem({ relationship: 'CONTAINS', name: CODES.referencedSegmentationFrame, reference: options.segmentation, segments: [options.segmentNumber] }),
  new ImageItem({ relationship: 'CONTAINS', name: CODES.sourceImageForSegmentation, reference: options.sourceImage }),
];

/** Probability of cancer (DCM 111047) as a TID 300 measurement, unit "1" (dimensionless). */
export function probabilityOfCancer(options: { value: number; relationship?: RelationshipType; evidence?: Array<ScoordItem | ImageItem> }): NumItem {
  if (!(options.value >= 0 && options.value <= 1)) throw new Error(`probabilityOfCancer: ${options.value} is not a probability`);
  return new NumItem({
    relationship: options.relationship ?? 'CONTAINS',
    name: CODES.probabilityOfCancer,
    value: options.value,
    unit: CODES.noUnits,
    children: options.evidence ?? [],
  });
}

/** A qualitative evaluation: a coded statement (TID 1500 row 13, TID 1501 qualitative evaluations). */
export const qualitativeEvaluation = (options: { name: Code; value: Code }): CodeItem =>
  new CodeItem({ relationship: 'CONTAINS', name: options.name, value: options.value });

/** A free-text statement (TID 1500 row 14). */
export const comment = (text: string, name: Code = CODES.comment): TextItem => new TextItem({ relationship: 'CONTAINS', name, value: text });
