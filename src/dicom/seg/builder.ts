/**
 * Segmentation IOD (PS3.3 A.51, SOP class 1.2.840.10008.5.1.4.1.1.66.4) from named options. Refuses invalid input
 * (SegmentationBuildError) instead of writing an object a viewer or validator would reject.
 * Every frame carries its plane geometry: OHIF 3.13 drew a SEG over a projection-less RGB image only once the SEG had
 * Pixel Measures, Plane Orientation and per-frame Plane Position (measured for issue #4).
 */
import { Dataset, toArrayBuffer } from '../io';
import { deterministicUid, isValidUid } from '../uid';
import { packBits } from './bits';
import { SegmentationFrame, functionalGroups } from './functional-groups';
import { SegmentationBuildError, SegmentDescription, segmentItem, validateSegment } from './segment';
import { SopClass } from '../uids';

export type SegmentationType = 'BINARY' | 'FRACTIONAL';
/** FRACTIONAL: 8-bit values, 255 = probability 1 (PS3.3 C.8.20.2.3). */
export const MAX_FRACTIONAL_VALUE = 255;

export interface SegmentationOptions {
  /** Patient, General Study and Patient Study attributes (from the source). */
  patientAndStudy: Dataset;
  /** General/Enhanced General Equipment, contributing equipment, content date/time. */
  equipment: Dataset;
  /** Enhanced General Equipment: Device Serial Number is type 1. */
  deviceSerialNumber: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  seriesNumber: number;
  seriesDescription: string;
  instanceNumber: number;
  frameOfReferenceUid: string;
  /** CS: upper case, digits, space, underscore; <= 16 characters. */
  contentLabel: string;
  contentDescription: string;
  rows: number;
  columns: number;
  type: SegmentationType;
  segments: SegmentDescription[];
  /** BINARY masks: non-zero = inside. FRACTIONAL masks: 0..255. */
  frames: SegmentationFrame[];
}

export { SegmentationBuildError } from './segment';
export type { SegmentationFrame } from './functional-groups';

function validate(o: SegmentationOptions): void {
  for (const [name, uid] of Object.entries({ seriesInstanceUid: o.seriesInstanceUid, sopInstanceUid: o.sopInstanceUid, frameOfReferenceUid: o.frameOfReferenceUid }))
    if (!isValidUid(uid)) throw new SegmentationBuildError(`${name} ${uid} is not a valid UID`);
  if (o.type !== 'BINARY' && o.type !== 'FRACTIONAL') throw new SegmentationBuildError(`segmentation type ${String(o.type)} is not BINARY or FRACTIONAL`);
  if (!Number.isInteger(o.rows) || !Number.isInteger(o.columns) || o.rows < 1 || o.columns < 1 || o.rows > 65535 || o.columns > 65535)
    throw new SegmentationBuildError(`frame size ${o.columns}x${o.rows} is not a valid Columns x Rows`);
  if (!/^[A-Z0-9_ ]{1,16}$/.test(o.contentLabel)) throw new SegmentationBuildError(`content label "${o.contentLabel}" is not a CS value of <= 16 characters`);
  if (o.segments.length === 0) throw new SegmentationBuildError('a segmentation needs at least one segment');
  const numbers = new Set<number>();
  for (const s of o.segments) {
    validateSegment(s);
    if (numbers.has(s.number)) throw new SegmentationBuildError(`segment number ${s.number} is used twice`);
    numbers.add(s.number);
  }
  if (o.frames.length === 0) throw new SegmentationBuildError('a segmentation needs at least one frame');
  const pixels = o.rows * o.columns;
  o.frames.forEach((f, i) => {
    if (!numbers.has(f.segmentNumber)) throw new SegmentationBuildError(`frame ${i + 1} refers to segment ${f.segmentNumber}, which is not described`);
    if (f.mask.length !== pixels) throw new SegmentationBuildError(`frame ${i + 1} has ${f.mask.length} pixels, but the segmentation is ${o.columns}x${o.rows}`);
    if (!isValidUid(f.source.sopInstanceUid) || !isValidUid(f.source.sopClassUid) || !isValidUid(f.source.seriesInstanceUid))
      throw new SegmentationBuildError(`frame ${i + 1}: source image UIDs are not valid UIDs`);
  });
}

/** Common Instance Reference module (PS3.3 C.12.2): every source image, grouped by series. */
function referencedSeries(frames: readonly SegmentationFrame[]): Dataset[] {
  const bySeries = new Map<string, Map<string, string>>();
  for (const f of frames) {
    const series = bySeries.get(f.source.seriesInstanceUid) ?? new Map<string, string>();
    series.set(f.source.sopInstanceUid, f.source.sopClassUid);
    bySeries.set(f.source.seriesInstanceUid, series);
  }
  return [...bySeries].map(([seriesUid, instances]) => ({
    SeriesInstanceUID: seriesUid,
    ReferencedInstanceSequence: [...instances].map(([uid, cls]) => ({ ReferencedSOPClassUID: cls, ReferencedSOPInstanceUID: uid })),
  }));
}

function pixelData(o: SegmentationOptions): ArrayBuffer {
  if (o.type === 'BINARY') return toArrayBuffer(packBits(o.frames.map((f) => f.mask), o.rows * o.columns));
  const pixels = o.rows * o.columns;
  const bytes = new Uint8Array(o.frames.length * pixels + ((o.frames.length * pixels) % 2));
  o.frames.forEach((f, i) => bytes.set(f.mask, i * pixels));
  return toArrayBuffer(bytes);
}

export function buildSegmentation(o: SegmentationOptions): Dataset {
  validate(o);
  const bits = o.type === 'BINARY' ? 1 : 8;
  const groups = functionalGroups(o.frames, deterministicUid('gastric-ai-seg-dimension-organization', o.sopInstanceUid));
  const ds: Dataset = {
    ...o.patientAndStudy,
    ...o.equipment,
    SOPClassUID: SopClass.Segmentation,
    SOPInstanceUID: o.sopInstanceUid,
    // Segmentation Series module (PS3.3 C.8.20.1).
    Modality: 'SEG',
    SeriesInstanceUID: o.seriesInstanceUid,
    SeriesNumber: o.seriesNumber,
    SeriesDescription: o.seriesDescription,
    SeriesDate: o.equipment.ContentDate,
    SeriesTime: o.equipment.ContentTime,
    DeviceSerialNumber: o.deviceSerialNumber.slice(0, 64),
    FrameOfReferenceUID: o.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    InstanceNumber: o.instanceNumber,
    // Segmentation Image module (PS3.3 C.8.20.2).
    ImageType: ['DERIVED', 'PRIMARY'],
    ContentLabel: o.contentLabel,
    ContentDescription: o.contentDescription,
    ContentCreatorName: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: o.rows,
    Columns: o.columns,
    BitsAllocated: bits,
    BitsStored: bits,
    HighBit: bits - 1,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: o.type,
    ...(o.type === 'FRACTIONAL' ? { SegmentationFractionalType: 'PROBABILITY', MaximumFractionalValue: MAX_FRACTIONAL_VALUE } : {}),
    SegmentSequence: o.segments.map(segmentItem),
    // Multi-frame Functional Groups and Dimension modules (PS3.3 C.7.6.16, C.7.6.17).
    NumberOfFrames: o.frames.length,
    ...groups,
    ReferencedSeriesSequence: referencedSeries(o.frames),
    PixelData: [pixelData(o)],
    _vrMap: { PixelData: 'OB' },
  };
  return ds;
}
