/**
 * Stage 1 of the analysis: the routed series' files read as DICOM, checked to be one study, and filtered to the
 * instances a model can read (pixel data, not one of our own result objects). Everything else is a skip with a reason.
 */
import { textOf } from '../dicom/attributes';
import { Dataset, Part10, readPart10File } from '../dicom/io';
import { StudyAnalysis } from '../domain/analysis';
import { isResultSeries } from '../domain/result-series';
import { ModelPackage } from '../inference/package/load';

/** The routing decision as the analysis runs it: these files of this series are read by this model. */
export interface StudySeries {
  seriesInstanceUid: string;
  model: ModelPackage;
  files: readonly string[];
}

export interface SourceInstance {
  part10: Part10;
  dataset: Dataset;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  model: ModelPackage;
}

export class StudyInputError extends Error {
  override readonly name = 'StudyInputError';
}

export type Skipped = StudyAnalysis['skipped'];

/** Reads every file once; returns the analysable instances and the study they belong to. */
export function readStudyInput(series: readonly StudySeries[], skipped: Skipped): { studyInstanceUid: string; instances: SourceInstance[] } {
  const studies = new Set<string>();
  const instances: SourceInstance[] = [];
  for (const { model, files } of series) {
    for (const file of files) {
      let part10: Part10;
      try {
        part10 = readPart10File(file);
      } catch (err) {
        skipped.push({ sopInstanceUid: '', reason: `${file}: not readable as DICOM (${(err as Error).message})` });
        continue;
      }
      const { dataset } = part10;
      const sopInstanceUid = textOf(dataset.SOPInstanceUID);
      studies.add(textOf(dataset.StudyInstanceUID));
      if (isResultSeries(textOf(dataset.SeriesDescription))) skipped.push({ sopInstanceUid, reason: 'an AI result object (not analysed)' });
      else if (dataset.PixelData === undefined) skipped.push({ sopInstanceUid, reason: 'no pixel data' });
      else instances.push({ part10, dataset, sopInstanceUid, transferSyntaxUid: textOf(part10.meta.TransferSyntaxUID), model });
    }
  }
  if (studies.size > 1) throw new StudyInputError(`files belong to ${studies.size} studies; analyse one study at a time`);
  return { studyInstanceUid: [...studies][0] ?? '', instances };
}
