/**
 * The InstanceSink both ingest paths hand their committed instances to. The node's own result objects (SR, SEG, SC
 * with an "AI " SeriesDescription, see domain/result-series) come back when a PACS forwards every update: they are
 * acknowledged (the sender gets success and does not retry) and their spool file is removed, never stored or
 * analysed, so results cannot loop. Every other instance goes to the store, then to onAccepted (e.g. metrics).
 */
import * as fs from 'fs';
import type { InstanceSink, ReceivedInstance } from '../domain/instance';
import { isResultSeries } from '../domain/result-series';
import type { Logger } from '../logging/logger';

export interface IngestSinkOptions {
  /** Where instances are stored (the store's ingest repository). */
  store: InstanceSink;
  /** After the store took an instance (not called for our own results, nor when the store throws). */
  onAccepted?: (instance: ReceivedInstance) => void;
  logger: Logger;
}

export function createIngestSink(options: IngestSinkOptions): InstanceSink {
  const { store, onAccepted, logger } = options;
  return {
    async accept(instance: ReceivedInstance): Promise<void> {
      if (isResultSeries(instance.seriesDescription)) {
        fs.rmSync(instance.path, { force: true });
        logger.debug('own result object received back: ignored', {
          studyInstanceUid: instance.studyInstanceUid,
          sopInstanceUid: instance.sopInstanceUid,
          source: instance.source,
        });
        return;
      }
      await store.accept(instance);
      onAccepted?.(instance);
    },
  };
}
