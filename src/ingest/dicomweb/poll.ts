/**
 * One poll of a PACS: QIDO-RS for studies since the watermark (minus an overlap), then for every new or changed
 * study the series that are inputs of the models are retrieved with WADO-RS and handed to the sink. A study that
 * fails is left unseen (retried next poll) and holds the watermark back, but only for maxStudyFailures polls in a
 * row: then it is given up (a warning; not fetched again until its instance count changes) so that one study the
 * PACS or the store always refuses cannot stop the watermark, and re-download itself, forever. A PACS that cannot be
 * queried fails the poll without changing any state.
 */
import type { Logger } from '../../logging/logger';
import { seriesSummary, studyDateRange, studySummary, Tag, type SeriesSummary, type StudySummary } from './dicom-json';
import { fetchSeries, type SeriesFetchContext } from './fetch-series';
import { decideSeries, isWantedStudy, seriesSignature, studySignature } from './selection';
import { searchAllPages, type QueryParams } from './service';
import type { PollerState } from './state';

export interface PollReport {
  startedAt: Date;
  finishedAt: Date;
  /** false when the PACS could not be queried (nothing was changed). */
  ok: boolean;
  error: string | null;
  /** Studies the query returned that contain a wanted modality. */
  studiesMatched: number;
  /** Seen before with the same instance count: not fetched again. */
  studiesUnchanged: number;
  /** New or changed studies whose wanted series were all handed over. */
  studiesFetched: number;
  /** StudyInstanceUIDs that failed (retried next poll; they hold the watermark back). */
  studiesFailed: string[];
  /** StudyInstanceUIDs that failed for the maxStudyFailures-th time in a row in this poll and were given up. */
  studiesGivenUp: string[];
  /** Given up in an earlier poll and unchanged since: not fetched. */
  studiesSkippedGivenUp: number;
  seriesFetched: number;
  /** Our own results and series of other modalities. */
  seriesSkipped: number;
  instancesFetched: number;
  /** The watermark after the poll. */
  watermark: Date | null;
}

export interface PollContext extends SeriesFetchContext {
  state: PollerState;
  modalities: readonly string[];
  overlapMinutes: number;
  /** Failed fetches in a row after which a study is given up (≥ 1). */
  maxStudyFailures: number;
  isOwnSeries: (seriesDescription: string) => boolean;
  /** Send ModalitiesInStudy to the server (one query per modality) instead of filtering the answers here. */
  queryModalitiesInStudy: boolean;
  logger: Logger;
}

const STUDY_FIELDS = `${Tag.ModalitiesInStudy},${Tag.NumberOfStudyRelatedInstances}`;
const SERIES_FIELDS = `${Tag.Modality},${Tag.SeriesDescription},${Tag.NumberOfSeriesRelatedInstances}`;

/** The give-up mark of a study whose instance count the server does not report (counts are digits only). */
const UNKNOWN_SIGNATURE = 'unknown';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function emptyReport(at: Date, watermark: Date | null): PollReport {
  return {
    startedAt: at,
    finishedAt: at,
    ok: true,
    error: null,
    studiesMatched: 0,
    studiesUnchanged: 0,
    studiesFetched: 0,
    studiesFailed: [],
    studiesGivenUp: [],
    studiesSkippedGivenUp: 0,
    seriesFetched: 0,
    seriesSkipped: 0,
    instancesFetched: 0,
    watermark,
  };
}

export async function pollOnce(ctx: PollContext): Promise<PollReport> {
  const startedAt = ctx.now();
  const report = emptyReport(startedAt, ctx.state.getWatermark());
  let studies: StudySummary[];
  try {
    studies = await queryStudies(ctx, report.watermark ?? startedAt);
  } catch (err) {
    ctx.logger.warn('DICOMweb poll failed: PACS not queried', { error: message(err) });
    return { ...report, ok: false, error: message(err), finishedAt: ctx.now() };
  }

  for (const study of studies) {
    if (!isWantedStudy(study, ctx.modalities)) continue;
    report.studiesMatched++;
    const signature = studySignature(study);
    if (signature !== null && ctx.state.hasSeenStudy(study.studyInstanceUid, signature)) {
      report.studiesUnchanged++;
      continue;
    }
    // Without a count, a given-up study stays given up until the server reports one.
    const giveUpSignature = signature ?? UNKNOWN_SIGNATURE;
    if (ctx.state.isStudyGivenUp(study.studyInstanceUid, giveUpSignature)) {
      report.studiesSkippedGivenUp++;
      continue;
    }
    try {
      await fetchStudy(ctx, study.studyInstanceUid, report);
      if (signature !== null) ctx.state.markStudySeen(study.studyInstanceUid, signature);
      ctx.state.clearStudyFailures(study.studyInstanceUid);
      report.studiesFetched++;
    } catch (err) {
      recordFailure(ctx, report, study.studyInstanceUid, giveUpSignature, err);
    }
  }

  // Only once every study of this poll is handed over may the next poll look less far back.
  if (report.studiesFailed.length === 0) {
    ctx.state.setWatermark(startedAt);
    report.watermark = startedAt;
  }
  report.finishedAt = ctx.now();
  return report;
}

function recordFailure(ctx: PollContext, report: PollReport, studyUid: string, signature: string, err: unknown): void {
  const failures = ctx.state.recordStudyFailure(studyUid);
  if (failures < ctx.maxStudyFailures) {
    report.studiesFailed.push(studyUid);
    ctx.logger.warn('study not fetched; retried next poll', { studyInstanceUid: studyUid, failures, error: message(err) });
    return;
  }
  ctx.state.markStudyGivenUp(studyUid, signature);
  report.studiesGivenUp.push(studyUid);
  ctx.logger.warn('study given up: not fetched again until its instance count changes', {
    studyInstanceUid: studyUid,
    failures,
    error: message(err),
  });
}

/** Studies since the watermark, oldest first (servers return them in any order). */
async function queryStudies(ctx: PollContext, watermark: Date): Promise<StudySummary[]> {
  const base: QueryParams = { StudyDate: studyDateRange(watermark, ctx.overlapMinutes), includefield: STUDY_FIELDS };
  // Orthanc 1.10 + DICOMweb 1.7 accepts "ES,CT" as a list but ignores offset once ModalitiesInStudy is in the
  // query (page 2 comes back empty), so by default the date range alone is sent and modalities are filtered here.
  const queries = ctx.queryModalitiesInStudy ? ctx.modalities.map((m) => ({ ...base, ModalitiesInStudy: m })) : [base];
  const byUid = new Map<string, StudySummary>();
  for (const query of queries) {
    const found = await searchAllPages(
      (page) => ctx.service.searchStudies({ ...query, ...page }),
      (obj) => studySummary(obj).studyInstanceUid,
      ctx.pageSize,
    );
    for (const obj of found) {
      const study = studySummary(obj);
      byUid.set(study.studyInstanceUid, study);
    }
  }
  return [...byUid.values()].sort(
    (a, b) => (a.studyDate ?? '').localeCompare(b.studyDate ?? '') || a.studyInstanceUid.localeCompare(b.studyInstanceUid),
  );
}

async function fetchStudy(ctx: PollContext, studyUid: string, report: PollReport): Promise<void> {
  const series: SeriesSummary[] = (
    await searchAllPages(
      (page) => ctx.service.searchSeries(studyUid, { ...page, includefield: SERIES_FIELDS }),
      (obj) => seriesSummary(obj).seriesInstanceUid,
      ctx.pageSize,
    )
  ).map(seriesSummary);
  for (const s of series) {
    const signature = seriesSignature(s);
    const seen = signature !== null && ctx.state.hasSeenSeries(studyUid, s.seriesInstanceUid, signature);
    const decision = decideSeries({ series: s, modalities: ctx.modalities, isOwnSeries: ctx.isOwnSeries, seen });
    if (decision === 'own-result' || decision === 'other-modality') report.seriesSkipped++;
    if (decision !== 'fetch') continue;
    const count = await fetchSeries(ctx, studyUid, s);
    if (signature !== null) ctx.state.markSeriesSeen(studyUid, s.seriesInstanceUid, signature);
    report.seriesFetched++;
    report.instancesFetched += count;
    ctx.logger.info('series fetched', { studyInstanceUid: studyUid, seriesInstanceUid: s.seriesInstanceUid, instances: count });
  }
}
