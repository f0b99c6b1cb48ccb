/**
 * WADO-RS fetcher: retrieves one series and lands every instance in the spool and the sink through the same steps
 * as the DIMSE SCP (the shared identity check, then the shared commit and hand-over of ingest/commit-instance).
 * Small series come in one multipart response; larger ones instance by instance so memory stays bounded by one.
 */
import { writeFile } from 'node:fs/promises';
import type { InstanceSink } from '../../domain/instance';
import type { Spool } from '../../store/spool';
import { commitInstance, type Arrival } from '../commit-instance';
import { InstanceIdentity, InvalidIdentityError } from '../instance-identity';
import { sopInstanceUidOf, type SeriesSummary } from './dicom-json';
import { readInstanceHeader } from './instance-header';
import { searchAllPages, type DicomWebService } from './service';

export interface SeriesFetchContext {
  service: DicomWebService;
  spool: Spool;
  sink: InstanceSink;
  /** Recorded as ReceivedInstance.sourceUrl (without credentials). */
  sourceUrl: string;
  now: () => Date;
  /** Series with at most this many instances are retrieved in one request. */
  wholeSeriesMaxInstances: number;
  pageSize: number;
}

/** Fetches and hands over every instance of the series; returns how many. Throws on the first failure. */
export async function fetchSeries(ctx: SeriesFetchContext, studyInstanceUid: string, series: SeriesSummary): Promise<number> {
  const { service } = ctx;
  const seriesUid = series.seriesInstanceUid;
  if (series.instanceCount !== null && series.instanceCount <= ctx.wholeSeriesMaxInstances) {
    const parts = await service.retrieveSeries(studyInstanceUid, seriesUid);
    for (const bytes of parts) await handOver(ctx, bytes, studyInstanceUid, seriesUid);
    return parts.length;
  }
  const instances = await searchAllPages(
    (page) => service.searchInstances(studyInstanceUid, seriesUid, { ...page, includefield: '00080018' }),
    sopInstanceUidOf,
    ctx.pageSize,
  );
  for (const instance of instances) {
    const bytes = await service.retrieveInstance(studyInstanceUid, seriesUid, sopInstanceUidOf(instance));
    await handOver(ctx, bytes, studyInstanceUid, seriesUid);
  }
  return instances.length;
}

/** A retrieved instance that must not enter the spool (the study fails: retried next poll, then given up). */
export class RefusedInstanceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedInstanceError';
  }
}

function identify(bytes: ArrayBuffer, studyUid: string, seriesUid: string): InstanceIdentity {
  let identity: InstanceIdentity;
  try {
    identity = readInstanceHeader(bytes);
  } catch (err) {
    if (err instanceof InvalidIdentityError) throw new RefusedInstanceError(`WADO-RS instance of series ${seriesUid} refused: ${err.message}`);
    throw err;
  }
  if (identity.studyInstanceUid !== studyUid || identity.seriesInstanceUid !== seriesUid) {
    throw new RefusedInstanceError(`WADO-RS returned instance ${identity.sopInstanceUid} of another series (${identity.seriesInstanceUid})`);
  }
  return identity;
}

async function handOver(ctx: SeriesFetchContext, bytes: ArrayBuffer, studyUid: string, seriesUid: string): Promise<void> {
  // Checked in memory first: a refused instance never touches the disk.
  const identity = identify(bytes, studyUid, seriesUid);
  const temp = ctx.spool.incomingPath();
  try {
    await writeFile(temp, new Uint8Array(bytes));
    const arrival: Arrival = { source: 'dicomweb', callingAet: null, sourceUrl: ctx.sourceUrl, receivedAt: ctx.now() };
    await commitInstance({ path: temp, sizeBytes: bytes.byteLength, identity, arrival }, ctx);
  } finally {
    ctx.spool.discard(temp); // no-op once committed (the file was renamed away)
  }
}
