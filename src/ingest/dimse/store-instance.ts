/**
 * What happens to one complete C-STORE data set: read its header, check it against the command, commit the file
 * to the spool and hand the instance on. Every failure maps to a C-STORE status (PS3.4 B.2.3) and removes the file.
 */
import type { Dataset } from '../../dicom/io';
import { isValidUid } from '../../dicom/uid';
import type { InstanceSink, ReceivedInstance } from '../../domain/instance';
import type { Spool } from '../../store/spool';
import type { IncomingFileResult } from './incoming-file';
import { MalformedInstanceError, readInstanceHeader } from './instance-header';

/** C-STORE statuses we answer with (PS3.4 Table B.2-1, PS3.7 C.4.2). */
export const StoreStatus = {
  Success: 0x0000,
  /** Refused: SOP Class not supported (here: not the abstract syntax of the presentation context used, PS3.7 9.3.1.1). */
  SopClassNotSupported: 0x0122,
  /** Refused: out of resources (disk full or below the configured free-space floor). */
  OutOfResources: 0xa700,
  /** Error: data set does not match SOP class (or the command's affected SOP instance). */
  DataSetMismatch: 0xa900,
  /** Error: cannot understand (unreadable data set, missing or invalid UIDs). */
  CannotUnderstand: 0xc000,
  /** Processing failure (PS3.7 C.4.2): something on our side, e.g. the store behind the sink. */
  ProcessingFailure: 0x0110,
} as const;

export class StoreFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface StoreCommand {
  affectedSopClassUid: string;
  affectedSopInstanceUid: string;
  transferSyntaxUid: string;
  callingAet: string;
}

export interface StoreContext {
  spool: Spool;
  sink: InstanceSink;
  /** Size of the Part 10 meta header at the start of the file (where the data set begins). */
  datasetOffset: number;
}

const text = (dataset: Dataset, keyword: string): string => {
  const value = dataset[keyword];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.trim() : '';
};

const diskFull = (err: NodeJS.ErrnoException): boolean => err.code === 'ENOSPC' || err.code === 'EDQUOT';

function checkIdentity(header: Dataset, command: StoreCommand): Record<'study' | 'series' | 'sop' | 'sopClass', string> {
  const ids = {
    study: text(header, 'StudyInstanceUID'),
    series: text(header, 'SeriesInstanceUID'),
    sop: text(header, 'SOPInstanceUID'),
    sopClass: text(header, 'SOPClassUID'),
  };
  for (const [name, uid] of Object.entries(ids)) {
    if (!uid) throw new StoreFailure(StoreStatus.CannotUnderstand, `missing ${name} UID`);
    if (!isValidUid(uid)) throw new StoreFailure(StoreStatus.CannotUnderstand, `invalid ${name} UID`);
  }
  // PS3.4 B.2.3 (A900): the data set must be the instance the command announced.
  if (ids.sop !== command.affectedSopInstanceUid) {
    throw new StoreFailure(StoreStatus.DataSetMismatch, 'SOP Instance UID differs from the command');
  }
  if (ids.sopClass !== command.affectedSopClassUid) {
    throw new StoreFailure(StoreStatus.DataSetMismatch, 'SOP Class UID differs from the command');
  }
  return ids;
}

/** Commits a complete incoming file and returns the instance handed to the sink; throws StoreFailure. */
export async function storeInstance(file: IncomingFileResult, command: StoreCommand, context: StoreContext): Promise<ReceivedInstance> {
  if (file.writeError) {
    throw new StoreFailure(diskFull(file.writeError) ? StoreStatus.OutOfResources : StoreStatus.ProcessingFailure, `write failed: ${file.writeError.code ?? 'I/O error'}`);
  }
  let header: Dataset;
  try {
    header = await readInstanceHeader({
      path: file.path,
      sizeBytes: file.sizeBytes,
      prefix: file.prefix,
      datasetOffset: context.datasetOffset,
      transferSyntaxUid: command.transferSyntaxUid,
    });
  } catch (err) {
    if (err instanceof MalformedInstanceError) throw new StoreFailure(StoreStatus.CannotUnderstand, err.message);
    throw err;
  }
  const ids = checkIdentity(header, command);
  const path = context.spool.commit(file.path, { studyInstanceUid: ids.study, seriesInstanceUid: ids.series, sopInstanceUid: ids.sop });
  const instance: ReceivedInstance = {
    studyInstanceUid: ids.study,
    seriesInstanceUid: ids.series,
    sopInstanceUid: ids.sop,
    sopClassUid: ids.sopClass,
    transferSyntaxUid: command.transferSyntaxUid,
    modality: text(header, 'Modality'),
    bodyPartExamined: text(header, 'BodyPartExamined'),
    studyDescription: text(header, 'StudyDescription'),
    seriesDescription: text(header, 'SeriesDescription'),
    path,
    sizeBytes: file.sizeBytes,
    source: 'dimse',
    callingAet: command.callingAet,
    sourceUrl: null,
    receivedAt: new Date(),
  };
  try {
    await context.sink.accept(instance);
  } catch (err) {
    // The file stays committed (a resend replaces it); the sender must resend so the store learns of it.
    throw new StoreFailure(StoreStatus.ProcessingFailure, `sink refused the instance: ${(err as Error).message}`);
  }
  return instance;
}
