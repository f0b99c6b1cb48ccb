/** DICOM Part 10 reading and writing through dcmjs, with naturalized (keyword-named) datasets. */
import * as fs from 'fs';
import * as dcmjs from 'dcmjs';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './uid';

export type Dataset = dcmjs.NaturalDataset;

const { DicomDict, DicomMessage, DicomMetaDictionary } = dcmjs.data;
dcmjs.log.setLevel('error');

/** Serialises a dataset (must carry SOPClassUID and SOPInstanceUID) as a Part 10 file. */
export function writePart10(dataset: Dataset, transferSyntaxUid: string): Buffer {
  const sopClassUid = dataset.SOPClassUID;
  const sopInstanceUid = dataset.SOPInstanceUID;
  if (typeof sopClassUid !== 'string' || typeof sopInstanceUid !== 'string') {
    throw new Error('writePart10: dataset needs SOPClassUID and SOPInstanceUID');
  }
  const meta: Dataset = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClassUid,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: transferSyntaxUid,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return Buffer.from(dict.write());
}

export interface Part10 {
  meta: Dataset;
  dataset: Dataset;
}

export function readPart10(bytes: Uint8Array): Part10 {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const dict = DicomMessage.readFile(ab);
  return { meta: DicomMetaDictionary.naturalizeDataset(dict.meta), dataset: DicomMetaDictionary.naturalizeDataset(dict.dict) };
}

export function readPart10File(file: string): Part10 {
  return readPart10(fs.readFileSync(file));
}

/** The file meta and the data set up to (not including) Pixel Data: a large image's pixels are not parsed. */
export function readPart10Header(bytes: Uint8Array | ArrayBuffer): Part10 {
  const ab = ArrayBuffer.isView(bytes) ? (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer) : bytes;
  const dict = DicomMessage.readFile(ab, { untilTag: '7FE00010', includeUntilTagValue: false });
  return { meta: DicomMetaDictionary.naturalizeDataset(dict.meta), dataset: DicomMetaDictionary.naturalizeDataset(dict.dict) };
}

/** Tightly-sized ArrayBuffer for a typed array (dcmjs writes whole ArrayBuffers). */
export function toArrayBuffer(view: ArrayBufferView): ArrayBuffer {
  return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;
}

/** DICOM DA and TM from a Date, in UTC (synthetic and derived objects carry no local time zone). */
export function dicomDate(d: Date): string {
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}
export function dicomTime(d: Date): string {
  return d.toISOString().slice(11, 19).replace(/:/g, '');
}
