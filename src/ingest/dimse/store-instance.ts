/**
 * What happens to one complete C-STORE data set: read its header, run the shared identity check (ingest/instance-
 * identity) and the DIMSE one (the data set is the instance the command announced), then the shared commit and
 * hand-over (ingest/commit-instance). Every failure maps to a C-STORE status (PS3.4 B.2.3); the SCP removes the file.
 */
import type { Dataset } from '../../dicom/io';
import type { ReceivedInstance } from '../../domain/instance';
import { commitInstance, SinkRefusedError, type Arrival, type CommitTarget } from '../commit-instance';
import { InstanceIdentity, InvalidIdentityError } from '../instance-identity';
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

export interface StoreContext extends CommitTarget {
  /** Size of the Part 10 meta header at the start of the file (where the data set begins). */
  datasetOffset: number;
}

const diskFull = (err: NodeJS.ErrnoException): boolean => err.code === 'ENOSPC' || err.code === 'EDQUOT';

/** The shared header check (C000 when it fails), then PS3.4 B.2.3 (A900): the data set must be the announced instance. */
function identify(header: Dataset, command: StoreCommand): InstanceIdentity {
  let identity: InstanceIdentity;
  try {
    identity = InstanceIdentity.read(header, command.transferSyntaxUid);
  } catch (err) {
    if (err instanceof InvalidIdentityError) throw new StoreFailure(StoreStatus.CannotUnderstand, err.message);
    throw err;
  }
  if (identity.sopInstanceUid !== command.affectedSopInstanceUid) {
    throw new StoreFailure(StoreStatus.DataSetMismatch, 'SOP Instance UID differs from the command');
  }
  if (identity.sopClassUid !== command.affectedSopClassUid) {
    throw new StoreFailure(StoreStatus.DataSetMismatch, 'SOP Class UID differs from the command');
  }
  return identity;
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
  const identity = identify(header, command);
  const arrival: Arrival = { source: 'dimse', callingAet: command.callingAet, sourceUrl: null, receivedAt: new Date() };
  try {
    return await commitInstance({ path: file.path, sizeBytes: file.sizeBytes, identity, arrival }, context);
  } catch (err) {
    // Committed but not stored: the sender must resend (which replaces the file) so the store learns of it.
    if (err instanceof SinkRefusedError) throw new StoreFailure(StoreStatus.ProcessingFailure, err.message);
    throw err;
  }
}
