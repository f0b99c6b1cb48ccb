/**
 * What every result object (SR, SEG, SC) shares: the source's patient and study modules, a new series per object kind,
 * the algorithm as contributing equipment, the "not for clinical use" statement, and UIDs derived from
 * (source study, models, kind, index) so that re-analysing a study replaces its results instead of duplicating them.
 */
import { Dataset } from '../dicom/io';
import { deterministicUid } from '../dicom/uid';
import { ImageMap, ImageResult, ModelRef, StudyAnalysis } from '../domain/analysis';

export type ResultKind = 'SR' | 'SEG' | 'SC';

export const MANUFACTURER = 'gastric-ai-node';
export const SOFTWARE_VERSION = '0.1.0';
export const NOT_FOR_CLINICAL_USE = 'AI result - not for clinical use';

/** Series numbers high enough not to collide with the modality's own series. */
export const RESULT_SERIES_NUMBER: Record<ResultKind, number> = { SR: 9001, SEG: 9002, SC: 9003 };

/** SeriesDescription (LO, <= 64 chars). Starts with "AI " so forwarders and our own analysis skip result series. */
export const RESULT_SERIES_DESCRIPTION: Record<ResultKind, string> = {
  SR: 'AI gastric cancer report - not for clinical use',
  SEG: 'AI gastric cancer segmentation - not for clinical use',
  SC: 'AI gastric cancer overlay - not for clinical use',
};

const modelKey = (models: readonly ModelRef[]): string =>
  models
    .map((m) => `${m.id}@${m.version}`)
    .sort()
    .join('+');

/**
 * Deterministic UIDs of one result object. `index` numbers objects of the same kind (e.g. one SC per image). SR and
 * SC objects of a study share one series per kind; each SEG gets its own series, because SEGs of different source
 * series may have different Frames of Reference and a series belongs to one (PS3.3 C.7.4.1).
 */
export function resultUids(
  studyInstanceUid: string,
  models: readonly ModelRef[],
  kind: ResultKind,
  index = 0,
): { seriesInstanceUid: string; sopInstanceUid: string } {
  const key = modelKey(models);
  const series = kind === 'SEG' ? deterministicUid('gastric-ai-result-series', studyInstanceUid, key, kind, index) : deterministicUid('gastric-ai-result-series', studyInstanceUid, key, kind);
  return {
    seriesInstanceUid: series,
    sopInstanceUid: deterministicUid('gastric-ai-result-instance', studyInstanceUid, key, kind, index),
  };
}

/** The model that read an image, as the analysis recorded it (routing chose it; results never guess). */
export function modelOf(analysis: Pick<StudyAnalysis, 'models'>, image: Pick<ImageResult, 'modelId' | 'sopInstanceUid'>): ModelRef {
  const model = analysis.models.find((m) => m.id === image.modelId);
  if (!model) throw new Error(`image ${image.sopInstanceUid} names model ${image.modelId}, which the analysis does not list`);
  return model;
}

/** Patient, General Study and Patient Study attributes copied unchanged from a source instance. */
const COPIED = [
  'PatientName',
  'PatientID',
  'IssuerOfPatientID',
  'PatientBirthDate',
  'PatientSex',
  'PatientAge',
  'PatientWeight',
  'PatientSize',
  'StudyInstanceUID',
  'StudyDate',
  'StudyTime',
  'ReferringPhysicianName',
  'StudyID',
  'AccessionNumber',
  'StudyDescription',
  'SpecificCharacterSet',
] as const;

export function patientAndStudy(source: Dataset): Dataset {
  const out: Dataset = {};
  for (const key of COPIED) if (source[key] !== undefined) out[key] = source[key];
  // Type 2 attributes of the Patient and General Study modules: present even when empty.
  for (const key of ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyDate', 'StudyTime', 'ReferringPhysicianName', 'StudyID', 'AccessionNumber'])
    if (out[key] === undefined) out[key] = '';
  return out;
}

/** ContributingEquipmentSequence items naming each model (PS3.3 C.12.1.1.5), purpose "Processing" (DCM 109103). */
export function contributingEquipment(models: readonly ModelRef[]): Dataset[] {
  return models.map((m) => ({
    PurposeOfReferenceCodeSequence: [{ CodeValue: '109103', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Processing Equipment' }],
    Manufacturer: MANUFACTURER,
    ManufacturerModelName: m.id,
    SoftwareVersions: m.version,
    DeviceUID: m.deviceUid,
    ContributionDescription: m.synthetic ? `${m.id} ${m.version}: trained on synthetic data, not for clinical use` : `${m.id} ${m.version}`,
  }));
}

/** General Equipment + SOP Common bits every result object carries. */
export function equipmentAndProvenance(models: readonly ModelRef[], now: Date): Dataset {
  const date = now.toISOString().slice(0, 10).replace(/-/g, '');
  const time = now.toISOString().slice(11, 19).replace(/:/g, '');
  return {
    Manufacturer: MANUFACTURER,
    ManufacturerModelName: models.map((m) => m.id).join('+').slice(0, 64),
    SoftwareVersions: SOFTWARE_VERSION,
    ContributingEquipmentSequence: contributingEquipment(models),
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    ContentDate: date,
    ContentTime: time,
  };
}

/** Everything a result builder reads. */
export interface ResultInput {
  analysis: StudyAnalysis;
  /** Localisation maps at source resolution of the images with a region (from analyzeStudy). */
  maps: ImageMap[];
  /** Source instances by SOPInstanceUID (with pixel data): at least every image in analysis.images. */
  sources: ReadonlyMap<string, Dataset>;
  /** Transfer syntax of each source file (from its file meta), by SOPInstanceUID; guessed from the pixel data when absent. */
  transferSyntaxes?: ReadonlyMap<string, string>;
  segmentationType: 'BINARY' | 'FRACTIONAL';
  now: Date;
}

/** The images of one SEG object: a SEG's frames share Rows/Columns, so there is one SEG per source series and size. */
export interface SegmentationPart {
  /** Index for resultUids(..., 'SEG', index). */
  index: number;
  seriesInstanceUid: string;
  width: number;
  height: number;
  images: ImageResult[];
}

/** Findings = suspicious images with a region and a map. Ordered by series, then SOP Instance UID, then frame. */
export function findings(input: Pick<ResultInput, 'analysis' | 'maps'>): Array<{ image: ImageResult; map: ImageMap }> {
  const out: Array<{ image: ImageResult; map: ImageMap }> = [];
  for (const image of input.analysis.images) {
    if (!image.suspicious || !image.region) continue;
    const map = input.maps.find((m) => m.sopInstanceUid === image.sopInstanceUid && m.frame === image.frame);
    if (map) out.push({ image, map });
  }
  const key = (f: { image: ImageResult }) => `${f.image.seriesInstanceUid}|${f.image.sopInstanceUid}|${String(f.image.frame).padStart(6, '0')}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Which SEG objects a study's results hold (none for a study without findings); the SR references these. */
export function segmentationPlan(input: Pick<ResultInput, 'analysis' | 'maps'>): SegmentationPart[] {
  const parts = new Map<string, SegmentationPart>();
  for (const { image, map } of findings(input)) {
    const key = `${image.seriesInstanceUid}|${map.width}x${map.height}`;
    let part = parts.get(key);
    if (!part) {
      part = { index: parts.size, seriesInstanceUid: image.seriesInstanceUid, width: map.width, height: map.height, images: [] };
      parts.set(key, part);
    }
    part.images.push(image);
  }
  return [...parts.values()];
}

/** The SEG segment that holds our finding type (malignant tumour of stomach): one segment per finding type. */
export const CANCER_SEGMENT_NUMBER = 1;
