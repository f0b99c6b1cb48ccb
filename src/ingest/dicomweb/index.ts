/** DICOMweb ingest: a QIDO-RS poller with a watermark and a WADO-RS fetcher feeding the spool and the sink. */
export { createDicomWebPoller, type DicomWebPoller, type DicomWebPollerOptions, type PollerHealth, type PollerStatus } from './poller';
export type { PollReport } from './poll';
export { createKeyValuePollerState, type KeyValue, type KeyValuePollerStateOptions, type PollerState } from './state';
export { createDicomWebService, DicomWebRequestError, type DicomWebService } from './service';
