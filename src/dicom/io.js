"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.TransferSyntax = void 0;
exports.writePart10 = writePart10;
exports.readPart10 = readPart10;
exports.readPart10File = readPart10File;
exports.toArrayBuffer = toArrayBuffer;
exports.dicomDate = dicomDate;
exports.dicomTime = dicomTime;
/** DICOM Part 10 reading and writing through dcmjs, with naturalized (keyword-named) datasets. */
const fs = require("fs");
const dcmjs = require("dcmjs");
const uid_1 = require("./uid");
exports.TransferSyntax = {
    ImplicitVRLittleEndian: '1.2.840.10008.1.2',
    ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
    JpegBaseline: '1.2.840.10008.1.2.4.50',
};
const { DicomDict, DicomMessage, DicomMetaDictionary } = dcmjs.data;
dcmjs.log.setLevel('error');
/** Serialises a dataset (must carry SOPClassUID and SOPInstanceUID) as a Part 10 file. */
function writePart10(dataset, transferSyntaxUid) {
    const sopClassUid = dataset.SOPClassUID;
    const sopInstanceUid = dataset.SOPInstanceUID;
    if (typeof sopClassUid !== 'string' || typeof sopInstanceUid !== 'string') {
        throw new Error('writePart10: dataset needs SOPClassUID and SOPInstanceUID');
    }
    const meta = {
        FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
        MediaStorageSOPClassUID: sopClassUid,
        MediaStorageSOPInstanceUID: sopInstanceUid,
        TransferSyntaxUID: transferSyntaxUid,
        ImplementationClassUID: uid_1.IMPLEMENTATION_CLASS_UID,
        ImplementationVersionName: uid_1.IMPLEMENTATION_VERSION_NAME,
    };
    const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
    dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
    return Buffer.from(dict.write());
}
function readPart10(bytes) {
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const dict = DicomMessage.readFile(ab);
    return { meta: DicomMetaDictionary.naturalizeDataset(dict.meta), dataset: DicomMetaDictionary.naturalizeDataset(dict.dict) };
}
function readPart10File(file) {
    return readPart10(fs.readFileSync(file));
}
/** Tightly-sized ArrayBuffer for a typed array (dcmjs writes whole ArrayBuffers). */
function toArrayBuffer(view) {
    return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
}
/** DICOM DA and TM from a Date, in UTC (synthetic and derived objects carry no local time zone). */
function dicomDate(d) {
    return d.toISOString().slice(0, 10).replace(/-/g, '');
}
function dicomTime(d) {
    return d.toISOString().slice(11, 19).replace(/:/g, '');
}
