/**
 * What the pipeline's jobs need from the rest of the node, as narrow interfaces: the use cases are written against
 * these, and the composition root (src/node) wires the SQLite store, the model packages and the exporters in.
 */
import { StudyAnalysis } from '../domain/analysis';
import { ResultObjectRecord, StudyRecord, StudyStatus } from '../domain/study';
import { Exporter } from '../export/types';

export interface StoredInstance {
  sopInstanceUid: string;
  seriesInstanceUid: string;
  sopClassUid: string;
  modality: string;
  bodyPartExamined: string;
  studyDescription: string;
  seriesDescription: string;
  path: string;
}

export interface PipelineStore {
  study(studyInstanceUid: string): StudyRecord | null;
  instances(studyInstanceUid: string): StoredInstance[];
  /** Applies only while the study is still at `revision` (new instances re-open it); false otherwise. */
  setStatus(studyInstanceUid: string, revision: number, status: StudyStatus, reason?: string | null): boolean;
  /** Records the analysis of a study revision and its result objects, replacing earlier ones; false when superseded. */
  saveAnalysis(studyInstanceUid: string, revision: number, analysis: StudyAnalysis, results: ResultObjectRecord[]): boolean;
  results(studyInstanceUid: string): ResultObjectRecord[];
}

export interface JobEnqueuer {
  /** Queues the export of a study revision's results. */
  enqueueExport(studyInstanceUid: string, revision: number): void;
}

/** Where a study's results go: resolved per study because the default target is the PACS it came from. */
export type ExporterFor = (study: StudyRecord) => Exporter;

/** Events the node reports (metrics, webhook). */
export interface PipelineEvents {
  analysed(study: StudyRecord, analysis: StudyAnalysis): void;
  skipped(study: StudyRecord, reason: string): void;
  exported(study: StudyRecord, destination: string): void;
  exportFailed(study: StudyRecord, destination: string, error: string): void;
}
