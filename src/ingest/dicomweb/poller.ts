/**
 * The DICOMweb ingest service: polls a PACS on a cron schedule (node-cron; a seconds field is allowed) and reports
 * {name, status} for health. Polls never overlap: a tick that finds one running is skipped, and a pollOnce() call
 * during a running poll joins it.
 */
import * as cron from 'node-cron';
import type { DicomWebAuth } from '../../dicomweb/client';
import type { InstanceSink } from '../../domain/instance';
import type { Logger } from '../../logging/logger';
import { loadCaFile } from '../../security/tls';
import type { Spool } from '../../store/spool';
import { emptyReport, pollOnce as runPoll, type PollContext, type PollReport } from './poll';
import { isResultSeries } from '../../domain/result-series';
import { createDicomWebService, displayUrl, type DicomWebServiceOptions } from './service';
import type { PollerState } from './state';

export interface DicomWebPollerOptions {
  /** DICOMweb service root, e.g. http://pacs:8042/dicom-web */
  url: string;
  auth: DicomWebAuth;
  /** Cron expression; six fields (with seconds) allowed, e.g. every 30 s: star-slash-30 then five stars. */
  schedule: string;
  /** Modalities whose studies and series are fetched (e.g. ['ES', 'CT', 'PT']). */
  modalities: string[];
  /** How far before the watermark each query looks again (late arrivals, clock skew). */
  overlapMinutes: number;
  /**
   * First start (the state has no watermark yet): the watermark is set this many hours before now, and kept, so
   * the node does not pull the whole archive. Without it a first poll looks back from its own start only.
   */
  initialLookbackHours?: number;
  /**
   * Failed fetches in a row after which a study is given up: logged, no longer holding the watermark back, not
   * fetched again until its instance count changes (default 5).
   */
  maxStudyFailures?: number;
  /** QIDO-RS limit per request; must not exceed the server's own maximum. */
  pageSize: number;
  spool: Spool;
  sink: InstanceSink;
  state: PollerState;
  /** Recognises the node's own result series (default: SeriesDescription starts with "AI "). */
  isOwnSeries?: (seriesDescription: string) => boolean;
  logger: Logger;
  now?: () => Date;
  /** Socket inactivity timeout per HTTP request (default 60 s). */
  requestTimeoutMs?: number;
  /** PEM CA bundle for an https url (ingest.dicomweb.caFile), read when the poller is created. */
  caFile?: string | null;
  /** Told of every QIDO-RS search (the audit trail's Query event); must not throw. */
  onQuery?: DicomWebServiceOptions['onQuery'];
  /** Series up to this size come in one WADO-RS response, larger ones per instance (default 50). */
  wholeSeriesMaxInstances?: number;
  /** Filter by ModalitiesInStudy on the server (default false: Orthanc 1.10 then breaks paging; see poll.ts). */
  queryModalitiesInStudy?: boolean;
}

/** unknown: no poll yet; degraded: the PACS answered but some studies failed or were given up; down: the PACS could not be queried. */
export type PollerHealth = 'unknown' | 'up' | 'degraded' | 'down';

export interface PollerStatus {
  name: 'dicomweb-poller';
  status: PollerHealth;
  url: string;
  scheduled: boolean;
  polling: boolean;
  skippedTicks: number;
  lastPoll: PollReport | null;
}

export interface DicomWebPoller {
  pollOnce(): Promise<PollReport>;
  start(): void;
  /** Stops scheduling and waits for a running poll to finish. */
  stop(): Promise<void>;
  status(): PollerStatus;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_WHOLE_SERIES_MAX = 50;
const DEFAULT_MAX_STUDY_FAILURES = 5;

function validate(options: DicomWebPollerOptions): void {
  if (!cron.validate(options.schedule)) throw new Error(`dicomweb poller: invalid cron schedule "${options.schedule}"`);
  if (options.modalities.length === 0) throw new Error('dicomweb poller: modalities must not be empty');
  if (!Number.isInteger(options.pageSize) || options.pageSize < 1) throw new Error('dicomweb poller: pageSize must be ≥ 1');
  if (!(options.overlapMinutes >= 0)) throw new Error('dicomweb poller: overlapMinutes must be ≥ 0');
  const lookback = options.initialLookbackHours;
  if (lookback !== undefined && !(lookback >= 0 && Number.isFinite(lookback))) throw new Error('dicomweb poller: initialLookbackHours must be ≥ 0');
  const maxFailures = options.maxStudyFailures ?? DEFAULT_MAX_STUDY_FAILURES;
  if (!Number.isInteger(maxFailures) || maxFailures < 1) throw new Error('dicomweb poller: maxStudyFailures must be ≥ 1');
}

function healthOf(report: PollReport | null): PollerHealth {
  if (!report) return 'unknown';
  if (!report.ok) return 'down';
  return report.studiesFailed.length > 0 || report.studiesGivenUp.length > 0 ? 'degraded' : 'up';
}

/**
 * Seeds the watermark once, when the poller is created (the node's start): persisted at once, so polls that fail
 * before the first full success still look back from the same point rather than from their own, later start.
 */
function seedWatermark(state: PollerState, lookbackHours: number | undefined, now: () => Date): void {
  if (lookbackHours === undefined || state.getWatermark() !== null) return;
  state.setWatermark(new Date(now().getTime() - lookbackHours * 3600_000));
}

export function createDicomWebPoller(options: DicomWebPollerOptions): DicomWebPoller {
  validate(options);
  const logger = options.logger;
  const sourceUrl = displayUrl(options.url);
  const now = options.now ?? ((): Date => new Date());
  seedWatermark(options.state, options.initialLookbackHours, now);
  const ctx: PollContext = {
    service: createDicomWebService({
      url: options.url,
      auth: options.auth,
      timeoutMs: options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(options.caFile ? { ca: loadCaFile(options.caFile, 'ingest.dicomweb.caFile') } : {}),
      onQuery: options.onQuery,
    }),
    spool: options.spool,
    sink: options.sink,
    sourceUrl,
    now,
    wholeSeriesMaxInstances: options.wholeSeriesMaxInstances ?? DEFAULT_WHOLE_SERIES_MAX,
    pageSize: options.pageSize,
    state: options.state,
    modalities: options.modalities,
    overlapMinutes: options.overlapMinutes,
    maxStudyFailures: options.maxStudyFailures ?? DEFAULT_MAX_STUDY_FAILURES,
    isOwnSeries: options.isOwnSeries ?? isResultSeries,
    queryModalitiesInStudy: options.queryModalitiesInStudy ?? false,
    logger,
  };

  let inFlight: Promise<PollReport> | null = null;
  let lastPoll: PollReport | null = null;
  let task: cron.ScheduledTask | null = null;
  let skippedTicks = 0;

  const pollOnce = (): Promise<PollReport> => {
    inFlight ??= runPoll(ctx)
      .catch((err: unknown): PollReport => {
        // runPoll catches per study and per query; this is a bug or a broken state store: report, never throw.
        const now = ctx.now();
        const error = err instanceof Error ? err.message : String(err);
        logger.error('DICOMweb poll crashed', { error });
        return { ...emptyReport(now, null), ok: false, error };
      })
      .then((report) => {
        lastPoll = report;
        inFlight = null;
        if (report.ok && (report.instancesFetched > 0 || report.studiesFailed.length > 0 || report.studiesGivenUp.length > 0)) {
          logger.info('DICOMweb poll done', {
            studiesFetched: report.studiesFetched,
            studiesFailed: report.studiesFailed,
            studiesGivenUp: report.studiesGivenUp,
            instancesFetched: report.instancesFetched,
          });
        }
        return report;
      });
    return inFlight;
  };

  const tick = (): void => {
    if (inFlight) {
      skippedTicks++;
      logger.debug('DICOMweb poll still running: tick skipped');
      return;
    }
    void pollOnce();
  };

  return {
    pollOnce,
    start(): void {
      if (task) return;
      task = cron.createTask(options.schedule, tick, {
        name: `dicomweb-poller ${sourceUrl}`,
        logger: {
          info: (m) => logger.debug(String(m)),
          warn: (m) => logger.warn(String(m)),
          error: (m) => logger.error(String(m)),
          debug: (m) => logger.debug(String(m)),
        },
      });
      void task.start();
      logger.info('DICOMweb poller started', { url: sourceUrl, schedule: options.schedule });
    },
    async stop(): Promise<void> {
      const t = task;
      task = null;
      if (t) await t.destroy();
      if (inFlight) await inFlight;
    },
    status: (): PollerStatus => ({
      name: 'dicomweb-poller',
      status: healthOf(lastPoll),
      url: sourceUrl,
      scheduled: task !== null,
      polling: inFlight !== null,
      skippedTicks,
      lastPoll,
    }),
  };
}
