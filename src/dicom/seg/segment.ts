/** One item of the SegmentSequence (PS3.3 C.8.20.2, Segment Description Macro 10.32), validated before it is built. */
import { Dataset } from '../io';
import { CodeItem, isCode, SEG_CODES } from './codes';

export type SegmentAlgorithmType = 'AUTOMATIC' | 'SEMIAUTOMATIC' | 'MANUAL';

export interface SegmentAlgorithm {
  name: string;
  version: string;
  /** CID 7162; default Artificial Intelligence. */
  family?: CodeItem;
}

export interface SegmentDescription {
  /** 1..65535 (US, and 0 means "no segment" in label maps). */
  number: number;
  label: string;
  category: CodeItem;
  type: CodeItem;
  anatomicRegion?: CodeItem;
  algorithmType: SegmentAlgorithmType;
  /** Required unless algorithmType is MANUAL (PS3.3 C.8.20.2: Segment Algorithm Name is type 1C). */
  algorithm?: SegmentAlgorithm;
  /** CIE L*a*b* scaled to 0..65535 (PS3.3 C.10.7.1.1); viewers colour the segment with it. */
  recommendedDisplayCIELab?: [number, number, number];
  trackingId?: string;
  trackingUid?: string;
}

export class SegmentationBuildError extends Error {
  override readonly name = 'SegmentationBuildError';
}

const ALGORITHM_TYPES: readonly string[] = ['AUTOMATIC', 'SEMIAUTOMATIC', 'MANUAL'];

export function validateSegment(s: SegmentDescription): void {
  const where = `segment ${s.number}`;
  if (!Number.isInteger(s.number) || s.number < 1 || s.number > 65535) throw new SegmentationBuildError(`segment number ${s.number} is outside 1..65535`);
  if (!s.label || s.label.length > 64) throw new SegmentationBuildError(`${where}: label must be 1..64 characters`);
  if (!isCode(s.category) || !isCode(s.type)) throw new SegmentationBuildError(`${where}: category and type must be coded concepts`);
  if (s.anatomicRegion !== undefined && !isCode(s.anatomicRegion)) throw new SegmentationBuildError(`${where}: anatomic region must be a coded concept`);
  if (!ALGORITHM_TYPES.includes(s.algorithmType)) throw new SegmentationBuildError(`${where}: algorithm type ${String(s.algorithmType)} is not one of ${ALGORITHM_TYPES.join(', ')}`);
  if (s.algorithmType !== 'MANUAL' && (!s.algorithm || !s.algorithm.name || !s.algorithm.version)) {
    throw new SegmentationBuildError(`${where}: ${s.algorithmType} segments need algorithm identification (name and version)`);
  }
  if (s.recommendedDisplayCIELab && !s.recommendedDisplayCIELab.every((v) => Number.isInteger(v) && v >= 0 && v <= 65535)) {
    throw new SegmentationBuildError(`${where}: CIELab values must be integers 0..65535`);
  }
  if (s.trackingId !== undefined && s.trackingUid === undefined) throw new SegmentationBuildError(`${where}: a tracking ID needs a tracking UID`);
}

export function segmentItem(s: SegmentDescription): Dataset {
  const item: Dataset = {
    SegmentNumber: s.number,
    SegmentLabel: s.label,
    SegmentedPropertyCategoryCodeSequence: [{ ...s.category }],
    SegmentedPropertyTypeCodeSequence: [{ ...s.type }],
    SegmentAlgorithmType: s.algorithmType,
  };
  if (s.anatomicRegion) item.AnatomicRegionSequence = [{ ...s.anatomicRegion }];
  if (s.algorithm) {
    item.SegmentAlgorithmName = s.algorithm.name;
    // Algorithm Identification Macro (PS3.3 Table 10-19).
    item.SegmentationAlgorithmIdentificationSequence = [
      { AlgorithmFamilyCodeSequence: [{ ...(s.algorithm.family ?? SEG_CODES.artificialIntelligence) }], AlgorithmName: s.algorithm.name, AlgorithmVersion: s.algorithm.version },
    ];
  }
  if (s.recommendedDisplayCIELab) item.RecommendedDisplayCIELabValue = [...s.recommendedDisplayCIELab];
  if (s.trackingId !== undefined) item.TrackingID = s.trackingId;
  if (s.trackingUid !== undefined) item.TrackingUID = s.trackingUid;
  return item;
}
