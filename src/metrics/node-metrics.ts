/**
 * The node's metric set: what an operator needs to see that studies arrive, get analysed and go back to the PACS.
 * Labels are low-cardinality by design (source, priority, job kind/state, export destination name): never UIDs.
 */
import { Priority } from '../domain/analysis';
import { IngestSource } from '../domain/instance';
import { JobKind, JobState } from '../domain/study';
import { CallbackGauge, Counter, GaugeReading, Histogram } from './instruments';
import { MetricsRegistry } from './registry';

/** Jobs per state now, read from the queue at scrape time (states left out count as 0). */
export type QueueDepthSource = () => Partial<Record<JobState, number>> | Promise<Partial<Record<JobState, number>>>;

const INGEST_SOURCES: readonly IngestSource[] = ['dimse', 'dicomweb'];
const PRIORITIES: readonly Priority[] = ['urgent', 'suspicious', 'routine'];
const JOB_KINDS: readonly JobKind[] = ['analyze', 'export'];
const JOB_STATES: readonly JobState[] = ['queued', 'running', 'done', 'dead'];

/** A study job runs from seconds (GPU, endoscopy) to minutes (CPU, a large CT): 100 ms to 10 min. */
export const JOB_DURATION_BUCKETS: readonly number[] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** One engine run over a batch: milliseconds on a GPU, seconds on a CPU. */
export const INFERENCE_DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface NodeMetrics {
  registry: MetricsRegistry;
  instancesReceived: Counter<'source'>;
  studiesAnalysed: Counter<'priority'>;
  studiesSkipped: Counter;
  jobsFailed: Counter<'kind'>;
  jobsDead: Counter<'kind'>;
  exportFailures: Counter<'destination'>;
  queueDepth: CallbackGauge<'state'>;
  jobDuration: Histogram<'kind'>;
  inferenceDuration: Histogram;
  /** Binds (or replaces) where queue depth is read from, for when the queue is built after the metrics. */
  setQueueDepthSource(source: QueueDepthSource): void;
}

export interface NodeMetricsOptions {
  registry?: MetricsRegistry;
  queueDepth?: QueueDepthSource;
}

export function createNodeMetrics(options: NodeMetricsOptions = {}): NodeMetrics {
  const registry = options.registry ?? new MetricsRegistry();
  let queueDepthSource: QueueDepthSource | undefined = options.queueDepth;

  const instancesReceived = registry.counter({
    name: 'gastric_ai_instances_received_total',
    help: 'DICOM instances committed to the spool, by ingest path.',
    labelNames: ['source'],
  });
  const studiesAnalysed = registry.counter({
    name: 'gastric_ai_studies_analysed_total',
    help: 'Studies analysed, by triage priority.',
    labelNames: ['priority'],
  });
  const studiesSkipped = registry.counter({
    name: 'gastric_ai_studies_skipped_total',
    help: 'Studies not analysed because they are not for this node (modality, body part, SOP class).',
  });
  const jobsFailed = registry.counter({
    name: 'gastric_ai_jobs_failed_total',
    help: 'Job attempts that failed (retried while attempts remain), by job kind.',
    labelNames: ['kind'],
  });
  const jobsDead = registry.counter({
    name: 'gastric_ai_jobs_dead_total',
    help: 'Jobs moved to the dead letter state (no attempts left or unrecoverable), by job kind.',
    labelNames: ['kind'],
  });
  const exportFailures = registry.counter({
    name: 'gastric_ai_export_failures_total',
    help: 'Failed attempts to send result objects to a destination.',
    labelNames: ['destination'],
  });
  const queueDepth = registry.callbackGauge({
    name: 'gastric_ai_queue_depth',
    help: 'Jobs in the queue now, by state.',
    labelNames: ['state'],
    read: async (): Promise<Array<GaugeReading<'state'>>> => {
      if (!queueDepthSource) return [];
      const depth = await queueDepthSource();
      return JOB_STATES.map((state) => ({ labels: { state }, value: depth[state] ?? 0 }));
    },
  });
  const jobDuration = registry.histogram({
    name: 'gastric_ai_job_duration_seconds',
    help: 'Wall time of one job attempt, by job kind.',
    labelNames: ['kind'],
    buckets: JOB_DURATION_BUCKETS,
  });
  const inferenceDuration = registry.histogram({
    name: 'gastric_ai_inference_duration_seconds',
    help: 'Wall time of one inference engine run.',
    buckets: INFERENCE_DURATION_BUCKETS,
  });

  // Known label values start at 0 so that dashboards and rate() see every series from the first scrape.
  for (const source of INGEST_SOURCES) instancesReceived.init({ source });
  for (const priority of PRIORITIES) studiesAnalysed.init({ priority });
  studiesSkipped.init();
  for (const kind of JOB_KINDS) {
    jobsFailed.init({ kind });
    jobsDead.init({ kind });
  }

  return {
    registry,
    instancesReceived,
    studiesAnalysed,
    studiesSkipped,
    jobsFailed,
    jobsDead,
    exportFailures,
    queueDepth,
    jobDuration,
    inferenceDuration,
    setQueueDepthSource: (source) => {
      queueDepthSource = source;
    },
  };
}
