/** Pipeline events → metrics and the urgent-study webhook (never awaited: a slow receiver must not hold a job). */
import { WebhookNotifier } from '../notify/webhook';
import { NodeMetrics } from '../metrics/node-metrics';
import { PipelineEvents } from '../pipeline/ports';

export function nodeEvents(metrics: NodeMetrics, webhook: WebhookNotifier | null): PipelineEvents {
  return {
    analysed: (_study, analysis) => {
      metrics.studiesAnalysed.inc({ priority: analysis.priority });
      metrics.inferenceDuration.observe(undefined, analysis.timings.inferMs / 1000);
      if (webhook && analysis.priority === 'urgent') void webhook.notify(analysis);
    },
    skipped: () => metrics.studiesSkipped.inc(),
    exported: () => undefined,
    exportFailed: (_study, destination) => metrics.exportFailures.inc({ destination }),
  };
}
