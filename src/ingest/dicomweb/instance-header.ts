/**
 * Reads the identifying header of a retrieved Part 10 instance (stops before Pixel Data, so a large image is not
 * parsed) and checks it carries the UIDs the spool needs.
 */
import * as dcmjs from 'dcmjs';
import type { ReceivedInstance } from '../../domain/instance';

export type InstanceHeader = Pick<
  ReceivedInstance,
  | 'studyInstanceUid'
  | 'seriesInstanceUid'
  | 'sopInstanceUid'
  | 'sopClassUid'
  | 'transferSyntaxUid'
  | 'modality'
  | 'bodyPartExamined'
  | 'studyDescription'
  | 'seriesDescription'
>;

const PIXEL_DATA = '7FE00010';
const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

function text(value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v.trim() : '';
}

export function readInstanceHeader(bytes: ArrayBuffer): InstanceHeader {
  const dict = DicomMessage.readFile(bytes, { untilTag: PIXEL_DATA, includeUntilTagValue: false });
  const meta = DicomMetaDictionary.naturalizeDataset(dict.meta) as Record<string, unknown>;
  const ds = DicomMetaDictionary.naturalizeDataset(dict.dict) as Record<string, unknown>;
  const header: InstanceHeader = {
    studyInstanceUid: text(ds.StudyInstanceUID),
    seriesInstanceUid: text(ds.SeriesInstanceUID),
    sopInstanceUid: text(ds.SOPInstanceUID) || text(meta.MediaStorageSOPInstanceUID),
    sopClassUid: text(ds.SOPClassUID) || text(meta.MediaStorageSOPClassUID),
    transferSyntaxUid: text(meta.TransferSyntaxUID),
    modality: text(ds.Modality),
    bodyPartExamined: text(ds.BodyPartExamined),
    studyDescription: text(ds.StudyDescription),
    seriesDescription: text(ds.SeriesDescription),
  };
  for (const key of ['studyInstanceUid', 'seriesInstanceUid', 'sopInstanceUid', 'sopClassUid', 'transferSyntaxUid'] as const) {
    if (!header[key]) throw new Error(`retrieved instance has no ${key}`);
  }
  return header;
}
