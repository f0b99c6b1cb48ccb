/** One stored instance as every ingest path hands it on: the contract between ingest, store and assembler. */

export type IngestSource = 'dimse' | 'dicomweb';

export interface ReceivedInstance {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
  transferSyntaxUid: string;
  /** Modality of the series (e.g. ES, CT, PT, SR). */
  modality: string;
  bodyPartExamined: string;
  studyDescription: string;
  seriesDescription: string;
  /** Complete Part 10 file in the spool (committed: never a partial file). */
  path: string;
  sizeBytes: number;
  source: IngestSource;
  /** DIMSE: the calling AE title of the association; DICOMweb: null. */
  callingAet: string | null;
  /** DICOMweb: the service URL it was retrieved from; DIMSE: null. */
  sourceUrl: string | null;
  receivedAt: Date;
}

/** Where ingest hands every committed instance (the store + assembler). */
export interface InstanceSink {
  accept(instance: ReceivedInstance): Promise<void>;
}
