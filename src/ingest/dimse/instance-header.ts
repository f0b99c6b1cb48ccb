/**
 * Reads the header of a received instance (everything before Pixel Data) from the spooled Part 10 file, starting
 * with the bytes kept in memory while streaming and reading more from disk only when the header is longer.
 * Pixel data is never parsed; a defined-length Pixel Data element must fit in the file (catches truncated data
 * sets, which dcmjs-dimse would otherwise hand over as complete).
 */
import * as fs from 'fs';
import * as dcmjs from 'dcmjs';
import type { Dataset } from '../../dicom/io';

const PIXEL_DATA = '7FE00010';
const UNDEFINED_LENGTH = 0xffffffff;
const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const DEFLATED_LE = '1.2.840.10008.1.2.1.99';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

/** The part of dcmjs's reader we use (dcmjs-dimse reads data sets the same way); not in our dcmjs typings. */
interface ReadStream {
  offset: number;
  end(): boolean;
}
interface DcmjsReader {
  ReadBufferStream: new (buffer: ArrayBuffer, littleEndian: boolean, options: { start: number }) => ReadStream;
  DicomMessage: {
    _read(stream: ReadStream, syntax: string, options: { ignoreErrors: boolean; untilTag: string }): dcmjs.DenaturalizedDataset;
  };
}
const reader = dcmjs.data as unknown as DcmjsReader;

export class MalformedInstanceError extends Error {}

export interface HeaderSource {
  path: string;
  sizeBytes: number;
  /** Leading bytes of the file already in memory. */
  prefix: Buffer;
  /** Where the data set starts (length of the meta header we wrote). */
  datasetOffset: number;
  transferSyntaxUid: string;
}

/** dcmjs reads compressed syntaxes' headers as explicit VR little endian (PS3.5 A.4: only pixel data is encapsulated). */
function readerSyntax(transferSyntaxUid: string): string {
  if (transferSyntaxUid === IMPLICIT_LE || transferSyntaxUid === EXPLICIT_BE) return transferSyntaxUid;
  return EXPLICIT_LE;
}

type Attempt = { kind: 'header'; dataset: Dataset; encapsulatedAt: number | null } | { kind: 'need-more' };

/** Character-set problems only affect text decoding, not the structure: dcmjs may then read leniently. */
const isCharsetError = (err: unknown): boolean => err instanceof Error && /character set/i.test(err.message);

function parse(buffer: Buffer, source: HeaderSource, wholeFile: boolean, lenient: boolean): Attempt {
  const ab = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
  const syntax = readerSyntax(source.transferSyntaxUid);
  const stream = new reader.ReadBufferStream(ab, syntax !== EXPLICIT_BE, { start: source.datasetOffset });
  let dict: dcmjs.DenaturalizedDataset;
  try {
    dict = reader.DicomMessage._read(stream, syntax, { ignoreErrors: lenient, untilTag: PIXEL_DATA });
  } catch (err) {
    if (!wholeFile) return { kind: 'need-more' };
    if (!lenient && isCharsetError(err)) return parse(buffer, source, wholeFile, true);
    throw new MalformedInstanceError(`data set not readable: ${(err as Error).message}`);
  }
  if (!(PIXEL_DATA in dict)) {
    // Stopped at the end of the buffer: the whole header only if the buffer was the whole file.
    return wholeFile ? { kind: 'header', dataset: naturalize(dict), encapsulatedAt: null } : { kind: 'need-more' };
  }
  // The reader stops right after the Pixel Data tag: check its declared length against the file size.
  const headerBytes = syntax === IMPLICIT_LE ? 4 : 8;
  if (stream.offset + headerBytes > buffer.length) {
    if (wholeFile) throw new MalformedInstanceError('data set ends inside the Pixel Data element header');
    return { kind: 'need-more' };
  }
  const length = pixelDataLength(buffer, stream.offset, syntax);
  if (length !== UNDEFINED_LENGTH && stream.offset + headerBytes + length > source.sizeBytes) {
    throw new MalformedInstanceError(`Pixel Data declares ${length} bytes; the data set is shorter (truncated)`);
  }
  delete dict[PIXEL_DATA];
  const encapsulatedAt = length === UNDEFINED_LENGTH ? stream.offset + headerBytes : null;
  return { kind: 'header', dataset: naturalize(dict), encapsulatedAt };
}

const ITEM = 0xe000;
const SEQUENCE_DELIMITER = 0xe0dd;

/**
 * Walks the encapsulated Pixel Data items (PS3.5 A.4: Basic Offset Table, fragments, Sequence Delimitation Item)
 * reading only their 8-byte headers, so a data set cut inside its fragments is caught without reading the frames.
 */
async function checkEncapsulated(path: string, offset: number, sizeBytes: number): Promise<void> {
  const handle = await fs.promises.open(path, 'r');
  try {
    const header = Buffer.alloc(8);
    for (let at = offset; ; ) {
      if (at + 8 > sizeBytes) throw new MalformedInstanceError('encapsulated Pixel Data ends without a Sequence Delimitation Item (truncated)');
      await handle.read(header, 0, 8, at);
      const group = header.readUInt16LE(0);
      const element = header.readUInt16LE(2);
      const length = header.readUInt32LE(4);
      if (group !== 0xfffe || (element !== ITEM && element !== SEQUENCE_DELIMITER)) {
        throw new MalformedInstanceError('encapsulated Pixel Data holds something other than items');
      }
      if (element === SEQUENCE_DELIMITER) return;
      at += 8 + length;
    }
  } finally {
    await handle.close();
  }
}

function pixelDataLength(buffer: Buffer, offset: number, syntax: string): number {
  const bigEndian = syntax === EXPLICIT_BE;
  // Implicit: 4-byte length; explicit OB/OW: VR, 2 reserved bytes, 4-byte length (PS3.5 7.1.2).
  const at = syntax === IMPLICIT_LE ? offset : offset + 4;
  return bigEndian ? buffer.readUInt32BE(at) : buffer.readUInt32LE(at);
}

function naturalize(dict: dcmjs.DenaturalizedDataset): Dataset {
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict);
}

async function readLeading(path: string, bytes: number): Promise<Buffer> {
  const handle = await fs.promises.open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The naturalized header (no Pixel Data); throws MalformedInstanceError when the data set cannot be read. */
export async function readInstanceHeader(source: HeaderSource): Promise<Dataset> {
  if (source.transferSyntaxUid === DEFLATED_LE) {
    // PS3.5 A.5: the whole data set is deflated, so the header cannot be read from a prefix.
    try {
      const bytes = await fs.promises.readFile(source.path);
      const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      const dict = dcmjs.data.DicomMessage.readFile(ab, { ignoreErrors: false, untilTag: PIXEL_DATA });
      delete dict.dict[PIXEL_DATA];
      return naturalize(dict.dict);
    } catch (err) {
      throw new MalformedInstanceError(`deflated data set not readable: ${(err as Error).message}`);
    }
  }
  let buffer = source.prefix;
  for (;;) {
    const wholeFile = buffer.length >= source.sizeBytes;
    const attempt = parse(buffer, source, wholeFile, false);
    if (attempt.kind === 'header') {
      if (attempt.encapsulatedAt !== null) await checkEncapsulated(source.path, attempt.encapsulatedAt, source.sizeBytes);
      return attempt.dataset;
    }
    buffer = await readLeading(source.path, Math.min(source.sizeBytes, Math.max(buffer.length * 4, 1 << 16)));
  }
}
