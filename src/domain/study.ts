/** Studies, jobs and results as the store keeps them and the API shows them. */
import { Priority, Stage, StudyAnalysis } from './analysis';
import { IngestSource } from './instance';

/**
 * receiving: instances still arriving (quiet period running); queued/analysing: a job exists; done: results stored
 * (and exported); skipped: not for us (reason); failed: dead-lettered (reason).
 */
export type StudyStatus = 'receiving' | 'queued' | 'analysing' | 'exporting' | 'done' | 'skipped' | 'failed';

export interface StudyRecord {
  studyInstanceUid: string;
  status: StudyStatus;
  source: IngestSource;
  callingAet: string | null;
  sourceUrl: string | null;
  instanceCount: number;
  firstReceivedAt: Date;
  lastReceivedAt: Date;
  /** Set when the status is skipped or failed. */
  reason: string | null;
  /** Bumped when instances arrive after an analysis: the study is analysed again and its results replaced. */
  revision: number;
}

export type JobKind = 'analyze' | 'export';
export type JobState = 'queued' | 'running' | 'done' | 'dead';

export interface JobRecord {
  id: number;
  kind: JobKind;
  studyInstanceUid: string;
  /** The study revision the job works on. */
  revision: number;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  nextRunAt: Date;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One result object the node wrote for a study. */
export interface ResultObjectRecord {
  kind: 'SR' | 'SEG' | 'SC';
  sopClassUid: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  path: string;
}

export interface WorklistEntry {
  studyInstanceUid: string;
  status: StudyStatus;
  priority: Priority | null;
  cancerProbability: number | null;
  stage: Stage | null;
  modalities: string[];
  instanceCount: number;
  receivedAt: string;
  analysedAt: string | null;
  reason: string | null;
}

export interface StudyDetail extends WorklistEntry {
  analysis: StudyAnalysis | null;
  results: ResultObjectRecord[];
  jobs: JobRecord[];
  exported: boolean;
}
