/**
 * Part 10 preamble and File Meta Information (PS3.10 7.1), encoded by hand so a received data set can be streamed
 * to disk straight after it: the meta group is always Explicit VR Little Endian, whatever the data set's transfer
 * syntax (including deflate, whose data set bytes follow the meta group unchanged).
 */
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../dicom/uid';

export interface FileMetaFields {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  /** (0002,0016): the AE that sent the instance (PS3.10 7.1: the source of the file's content). */
  sourceAeTitle: string;
}

/** PS3.5 6.2: UI values are padded to even length with NUL, text values (SH, AE) with a space. */
function padded(value: string, pad: '\0' | ' '): Buffer {
  const bytes = Buffer.from(value, 'latin1');
  return bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Buffer.from(pad, 'latin1')]);
}

/** One explicit VR little endian element with a 16-bit length (PS3.5 7.1.2). */
function shortElement(element: number, vr: string, value: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(0x0002, 0);
  head.writeUInt16LE(element, 2);
  head.write(vr, 4, 'latin1');
  head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}

/** OB has two reserved bytes and a 32-bit length (PS3.5 Table 7.1-1). */
function obElement(element: number, value: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16LE(0x0002, 0);
  head.writeUInt16LE(element, 2);
  head.write('OB', 4, 'latin1');
  head.writeUInt32LE(value.length, 8);
  return Buffer.concat([head, value]);
}

/** 128-byte preamble, "DICM" and the meta group with its group length; the data set bytes follow directly. */
export function encodeFileMeta(fields: FileMetaFields): Buffer {
  const elements = [
    obElement(0x0001, Buffer.from([0x00, 0x01])),
    shortElement(0x0002, 'UI', padded(fields.sopClassUid, '\0')),
    shortElement(0x0003, 'UI', padded(fields.sopInstanceUid, '\0')),
    shortElement(0x0010, 'UI', padded(fields.transferSyntaxUid, '\0')),
    shortElement(0x0012, 'UI', padded(IMPLEMENTATION_CLASS_UID, '\0')),
    shortElement(0x0013, 'SH', padded(IMPLEMENTATION_VERSION_NAME, ' ')),
  ];
  const aet = fields.sourceAeTitle.trim();
  if (aet.length > 0) elements.push(shortElement(0x0016, 'AE', padded(aet.slice(0, 16), ' ')));
  const body = Buffer.concat(elements);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(body.length, 0);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), shortElement(0x0000, 'UL', groupLength), body]);
}
