/**
 * StudyAnalysis → Segmentation objects: one SEG per part of segmentationPlan (one source series and frame size), one
 * frame per suspicious image, one segment for our finding type. BINARY masks are the localisation map at 0.5;
 * FRACTIONAL frames carry the map itself as a probability (×255).
 */
import { Dataset } from '../dicom/io';
import { buildSegmentation, MAX_FRACTIONAL_VALUE, SegmentationFrame } from '../dicom/seg/builder';
import { SEG_CODES } from '../dicom/seg/codes';
import { PlaneGeometry } from '../dicom/seg/functional-groups';
import { SegmentDescription } from '../dicom/seg/segment';
import { deterministicUid } from '../dicom/uid';
import { ImageResult, ModelRef } from '../domain/analysis';
import {
  CANCER_SEGMENT_NUMBER,
  equipmentAndProvenance,
  modelOf,
  findings,
  patientAndStudy,
  RESULT_SERIES_DESCRIPTION,
  RESULT_SERIES_NUMBER,
  resultUids,
  ResultInput,
  SegmentationPart,
  segmentationPlan,
} from './common';
import { textOf } from '../dicom/attributes';

const BINARY_THRESHOLD = 0.5;
/** sRGB red in CIE L*a*b* (D65: L 53.24, a 80.09, b 67.20) scaled to 0..65535 (PS3.3 C.10.7.1.1). */
const RED_CIELAB: [number, number, number] = [34891, 53479, 50166];
const AXIAL: PlaneGeometry['imageOrientationPatient'] = [1, 0, 0, 0, 1, 0];

const items = (v: unknown): Dataset[] => (Array.isArray(v) ? (v as Dataset[]) : v && typeof v === 'object' ? [v as Dataset] : []);
const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : v === undefined || v === '' ? [] : [Number(v)]);

/** The source frame's geometry: top-level attributes (CT/PT images) or an enhanced image's functional groups. */
function sourcePlane(ds: Dataset, frame: number): PlaneGeometry | null {
  const perFrame = items(ds.PerFrameFunctionalGroupsSequence)[frame];
  const shared = items(ds.SharedFunctionalGroupsSequence)[0];
  const fromGroup = (key: string, attr: string): number[] => numbers(items(perFrame?.[key])[0]?.[attr] ?? items(shared?.[key])[0]?.[attr]);
  const position = numbers(ds.ImagePositionPatient).length ? numbers(ds.ImagePositionPatient) : fromGroup('PlanePositionSequence', 'ImagePositionPatient');
  const orientation = numbers(ds.ImageOrientationPatient).length ? numbers(ds.ImageOrientationPatient) : fromGroup('PlaneOrientationSequence', 'ImageOrientationPatient');
  const spacing = numbers(ds.PixelSpacing).length ? numbers(ds.PixelSpacing) : fromGroup('PixelMeasuresSequence', 'PixelSpacing');
  const thickness = numbers(ds.SliceThickness).length ? numbers(ds.SliceThickness) : fromGroup('PixelMeasuresSequence', 'SliceThickness');
  if (position.length !== 3 || orientation.length !== 6 || spacing.length !== 2 || !textOf(ds.FrameOfReferenceUID)) return null;
  return {
    imagePositionPatient: position as PlaneGeometry['imagePositionPatient'],
    imageOrientationPatient: orientation as PlaneGeometry['imageOrientationPatient'],
    pixelSpacing: spacing as PlaneGeometry['pixelSpacing'],
    sliceThickness: thickness[0] > 0 ? thickness[0] : 1,
  };
}

/**
 * Endoscopy has no patient geometry; OHIF still needs some to draw the SEG, so each frame gets a 1 mm grid stacked at
 * z = frame index, in a Frame of Reference of its own (derived from the series, so reruns give the same UID).
 */
function synthesisedPlane(index: number): PlaneGeometry {
  return { imagePositionPatient: [0, 0, index], imageOrientationPatient: [...AXIAL], pixelSpacing: [1, 1], sliceThickness: 1 };
}

function mask(probability: Float32Array, type: ResultInput['segmentationType']): Uint8Array {
  const out = new Uint8Array(probability.length);
  if (type === 'BINARY') for (let i = 0; i < out.length; i++) out[i] = probability[i] >= BINARY_THRESHOLD ? 1 : 0;
  else for (let i = 0; i < out.length; i++) out[i] = Math.round(Math.max(0, Math.min(1, probability[i])) * MAX_FRACTIONAL_VALUE);
  return out;
}

function cancerSegment(model: ModelRef): SegmentDescription {
  return {
    number: CANCER_SEGMENT_NUMBER,
    label: 'Suspected gastric cancer (AI)',
    category: SEG_CODES.morphologicallyAbnormalStructure,
    type: SEG_CODES.neoplasm,
    anatomicRegion: SEG_CODES.stomach,
    algorithmType: 'AUTOMATIC',
    algorithm: { name: model.id, version: model.version },
    recommendedDisplayCIELab: RED_CIELAB,
  };
}

function buildPart(input: ResultInput, part: SegmentationPart, mapsByImage: Map<ImageResult, Float32Array>): Dataset {
  const { analysis } = input;
  const sourceOf = (image: ImageResult): Dataset => {
    const ds = input.sources.get(image.sopInstanceUid);
    if (!ds) throw new Error(`SEG: source instance ${image.sopInstanceUid} is not among the result input's sources`);
    return ds;
  };
  const first = sourceOf(part.images[0]);
  const planes = part.images.map((image) => sourcePlane(sourceOf(image), image.frame));
  const geometric = planes.every((p) => p !== null);
  const frames: SegmentationFrame[] = part.images.map((image, i) => {
    const source = sourceOf(image);
    const multiFrame = Number(source.NumberOfFrames ?? 1) > 1;
    return {
      segmentNumber: CANCER_SEGMENT_NUMBER,
      source: { sopClassUid: image.sopClassUid, sopInstanceUid: image.sopInstanceUid, seriesInstanceUid: image.seriesInstanceUid, ...(multiFrame ? { frameNumber: image.frame + 1 } : {}) },
      plane: geometric ? (planes[i] as PlaneGeometry) : synthesisedPlane(i),
      mask: mask(mapsByImage.get(image) as Float32Array, input.segmentationType),
    };
  });
  const model = modelOf(analysis, part.images[0]);
  const uids = resultUids(analysis.studyInstanceUid, analysis.models, 'SEG', part.index);
  return buildSegmentation({
    patientAndStudy: patientAndStudy(first),
    equipment: equipmentAndProvenance(analysis.models, input.now),
    deviceSerialNumber: model.deviceUid,
    seriesInstanceUid: uids.seriesInstanceUid,
    sopInstanceUid: uids.sopInstanceUid,
    seriesNumber: RESULT_SERIES_NUMBER.SEG,
    seriesDescription: RESULT_SERIES_DESCRIPTION.SEG,
    instanceNumber: part.index + 1,
    frameOfReferenceUid: geometric ? textOf(first.FrameOfReferenceUID) : deterministicUid('gastric-ai-seg-frame-of-reference', part.seriesInstanceUid),
    contentLabel: 'GASTRIC_AI',
    contentDescription: RESULT_SERIES_DESCRIPTION.SEG,
    rows: part.height,
    columns: part.width,
    type: input.segmentationType,
    segments: [cancerSegment(model)],
    frames,
  });
}

/** One SEG per part of segmentationPlan(input); none for a study without findings. */
export function buildSegmentations(input: ResultInput): Dataset[] {
  const mapsByImage = new Map(findings(input).map((f) => [f.image, f.map.probability] as const));
  // segmentationPlan groups the same ImageResult objects that findings() returns, so they key the maps.
  return segmentationPlan(input).map((part) => buildPart(input, part, mapsByImage));
}
