/**
 * The one commit-and-hand-over step of every ingest path (issue 10): a complete file under the spool's incoming/
 * is renamed into studies/<study>/<series>/<sop>.dcm (atomic: a reader never sees a partial file) and the instance
 * goes to the sink. It runs after the header check (InstanceIdentity) and the path's own checks (DIMSE: the data
 * set is the one the command announced; DICOMweb: the instance is of the series asked for). When it throws before
 * the rename the incoming file is the caller's to remove; after the rename the file stays committed (a resend or
 * the next poll replaces it) and the sink's refusal is a SinkRefusedError.
 */
import type { IngestSource, InstanceSink, ReceivedInstance } from '../domain/instance';
import type { Spool } from '../store/spool';
import type { InstanceIdentity } from './instance-identity';

export interface CommitTarget {
  spool: Spool;
  sink: InstanceSink;
}

export interface Arrival {
  source: IngestSource;
  callingAet: string | null;
  sourceUrl: string | null;
  receivedAt: Date;
}

export interface IncomingInstance {
  /** The complete Part 10 file under the spool's incoming/. */
  path: string;
  sizeBytes: number;
  identity: InstanceIdentity;
  arrival: Arrival;
}

/** The file is committed but the sink (the store behind it) did not take the instance. */
export class SinkRefusedError extends Error {
  constructor(
    readonly instance: ReceivedInstance,
    cause: unknown,
  ) {
    super(`sink refused the instance: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SinkRefusedError';
  }
}

export async function commitInstance(incoming: IncomingInstance, target: CommitTarget): Promise<ReceivedInstance> {
  const { identity, arrival } = incoming;
  const path = target.spool.commit(incoming.path, identity);
  const instance: ReceivedInstance = { ...identity, ...arrival, path, sizeBytes: incoming.sizeBytes };
  try {
    await target.sink.accept(instance);
  } catch (err) {
    throw new SinkRefusedError(instance, err);
  }
  return instance;
}
