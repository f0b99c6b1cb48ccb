/**
 * Multi-frame Functional Groups (PS3.3 C.7.6.16) and Multi-frame Dimension (C.7.6.17) of a Segmentation: which source
 * image each frame derives from, which segment it holds and where it lies. Dimensions are (segment, position), as
 * dcmqi and highdicom write them, so viewers can stack frames by ImagePositionPatient.
 */
import { Dataset } from '../io';
import { SEG_CODES } from './codes';

export interface PlaneGeometry {
  imagePositionPatient: [number, number, number];
  /** Row direction cosines then column direction cosines. */
  imageOrientationPatient: [number, number, number, number, number, number];
  /** Row spacing \ column spacing (mm). */
  pixelSpacing: [number, number];
  sliceThickness: number;
}

export interface SourceImageRef {
  sopClassUid: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  /** 1-based frame of a multi-frame source; leave out for single-frame images. */
  frameNumber?: number;
}

export interface SegmentationFrame {
  segmentNumber: number;
  source: SourceImageRef;
  plane: PlaneGeometry;
  mask: Uint8Array;
}

const sameNumbers = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

function pixelMeasures(p: PlaneGeometry): Dataset {
  return { PixelSpacing: [...p.pixelSpacing], SliceThickness: p.sliceThickness };
}

/** 1-based rank of each frame's position along the plane normal (equal positions share a rank). */
function positionIndices(frames: readonly SegmentationFrame[]): number[] {
  const [r0, r1, r2, c0, c1, c2] = frames[0].plane.imageOrientationPatient;
  const normal = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
  const along = frames.map((f) => f.plane.imagePositionPatient.reduce((sum, v, i) => sum + v * normal[i], 0));
  const distinct = [...new Set(along)].sort((a, b) => a - b);
  return along.map((d) => distinct.indexOf(d) + 1);
}

function sourceItem(s: SourceImageRef): Dataset {
  const item: Dataset = {
    ReferencedSOPClassUID: s.sopClassUid,
    ReferencedSOPInstanceUID: s.sopInstanceUid,
    PurposeOfReferenceCodeSequence: [{ ...SEG_CODES.sourceImageForProcessing }],
  };
  if (s.frameNumber !== undefined) item.ReferencedFrameNumber = s.frameNumber;
  return item;
}

export function functionalGroups(frames: readonly SegmentationFrame[], dimensionOrganizationUid: string): Dataset {
  const first = frames[0].plane;
  const orientationShared = frames.every((f) => sameNumbers(f.plane.imageOrientationPatient, first.imageOrientationPatient));
  const measuresShared = frames.every((f) => sameNumbers(f.plane.pixelSpacing, first.pixelSpacing) && f.plane.sliceThickness === first.sliceThickness);
  const shared: Dataset = {};
  if (orientationShared) shared.PlaneOrientationSequence = [{ ImageOrientationPatient: [...first.imageOrientationPatient] }];
  if (measuresShared) shared.PixelMeasuresSequence = [pixelMeasures(first)];
  const positions = positionIndices(frames);

  const perFrame = frames.map((f, i): Dataset => {
    const item: Dataset = {
      DerivationImageSequence: [{ DerivationCodeSequence: [{ ...SEG_CODES.segmentation }], SourceImageSequence: [sourceItem(f.source)] }],
      FrameContentSequence: [{ DimensionIndexValues: [f.segmentNumber, positions[i]] }],
      PlanePositionSequence: [{ ImagePositionPatient: [...f.plane.imagePositionPatient] }],
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: f.segmentNumber }],
    };
    if (!orientationShared) item.PlaneOrientationSequence = [{ ImageOrientationPatient: [...f.plane.imageOrientationPatient] }];
    if (!measuresShared) item.PixelMeasuresSequence = [pixelMeasures(f.plane)];
    return item;
  });

  return {
    SharedFunctionalGroupsSequence: [shared],
    PerFrameFunctionalGroupsSequence: perFrame,
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganizationUid }],
    DimensionIndexSequence: [
      // Tags as AT values: (0062,000B) Referenced Segment Number in (0062,000A) Segment Identification Sequence.
      { DimensionOrganizationUID: dimensionOrganizationUid, DimensionIndexPointer: 0x0062000b, FunctionalGroupPointer: 0x0062000a, DimensionDescriptionLabel: 'ReferencedSegmentNumber' },
      // (0020,0032) Image Position (Patient) in (0020,9113) Plane Position Sequence.
      { DimensionOrganizationUID: dimensionOrganizationUid, DimensionIndexPointer: 0x00200032, FunctionalGroupPointer: 0x00209113, DimensionDescriptionLabel: 'ImagePositionPatient' },
    ],
  };
}
