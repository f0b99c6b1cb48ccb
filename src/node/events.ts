/** Pipeline events → metrics, the urgent-study webhook and the audit trail (never awaited: a slow receiver must not hold a job). */
import { WebhookNotifier } from '../notify/webhook';
import { NodeMetrics } from '../metrics/node-metrics';
import { PipelineEvents } from '../pipeline/ports';

/** The export outcomes the audit trail records (DICOM Instances Transferred). */
export type ExportAudit = Pick<PipelineEvents, 'exported' | 'exportFailed'>;

export function nodeEvents(metrics: NodeMetrics, webhook: WebhookNotifier | null, audit?: ExportAudit): PipelineEvents {
  return {
    analysed: (_study, analysis) => {
      metrics.studiesAnalysed.inc({ priority: analysis.priority });
      metrics.inferenceDuration.observe(undefined, analysis.timings.inferMs / 1000);
      if (webhook && analysis.priority === 'urgent') void webhook.notify(analysis);
    },
    skipped: () => metrics.studiesSkipped.inc(),
    exported: (study, destination) => audit?.exported(study, destination),
    exportFailed: (study, destination, error) => {
      metrics.exportFailures.inc({ destination });
      audit?.exportFailed(study, destination, error);
    },
  };
}
