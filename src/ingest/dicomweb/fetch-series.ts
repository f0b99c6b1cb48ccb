/**
 * WADO-RS fetcher: retrieves one series, lands every instance in the spool the same way the DIMSE SCP does
 * (incoming file → header check → atomic commit) and hands it to the sink. Small series come in one multipart
 * response; larger ones instance by instance so memory stays bounded by one instance.
 */
import { writeFile } from 'node:fs/promises';
import type { InstanceSink } from '../../domain/instance';
import type { Spool } from '../../store/spool';
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

async function handOver(ctx: SeriesFetchContext, bytes: ArrayBuffer, studyUid: string, seriesUid: string): Promise<void> {
  const temp = ctx.spool.incomingPath();
  try {
    await writeFile(temp, new Uint8Array(bytes));
    const header = readInstanceHeader(bytes);
    if (header.studyInstanceUid !== studyUid || header.seriesInstanceUid !== seriesUid) {
      throw new Error(`WADO-RS returned instance ${header.sopInstanceUid} of another series (${header.seriesInstanceUid})`);
    }
    const path = ctx.spool.commit(temp, header);
    await ctx.sink.accept({
      ...header,
      path,
      sizeBytes: bytes.byteLength,
      source: 'dicomweb',
      callingAet: null,
      sourceUrl: ctx.sourceUrl,
      receivedAt: ctx.now(),
    });
  } finally {
    ctx.spool.discard(temp); // no-op once committed (the file was renamed away)
  }
}
