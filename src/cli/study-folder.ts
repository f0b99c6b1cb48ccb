/**
 * A study in a folder as `analyze` routes it: the files' headers read once, grouped into series facts, routed to the
 * given models like the node routes a received study; files that are not DICOM or whose series no rule matches are
 * reported as skipped.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { StudySeries } from '../analysis/analyze-study';
import { text } from '../dicom/attributes';
import { readPart10Header } from '../dicom/io';
import type { StudyAnalysis } from '../domain/analysis';
import type { ModelPackage } from '../inference/package/load';
import type { StoredInstance } from '../pipeline/ports';
import { createRouter, RoutingRule, seriesFactsOf } from '../pipeline/routing';

/** Every regular file under dir (PACS exports often have no .dcm extension); .json label files are left out. */
export function studyFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) throw new Error(`--in ${dir} does not exist`);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? studyFiles(path.join(dir, e.name)) : e.isFile() && !e.name.endsWith('.json') ? [path.join(dir, e.name)] : []))
    .sort();
}

/** What the node's store knows of an instance, read from a file's header. */
interface FileHeader extends Omit<StoredInstance, 'path'> {
  file: string;
}

export interface RoutedFolder {
  series: StudySeries[];
  skipped: StudyAnalysis['skipped'];
  /** Why nothing was routed (when series is empty). */
  reason: string | null;
}

/** Routes the folder's series with `rules` (which name ids of `models`). */
export function routeFolder(files: readonly string[], rules: readonly RoutingRule[], models: ReadonlyMap<string, ModelPackage>, callingAet: string | null = null): RoutedFolder {
  const skipped: StudyAnalysis['skipped'] = [];
  const headers: FileHeader[] = [];
  for (const file of files) {
    try {
      const { dataset, meta } = readPart10Header(fs.readFileSync(file));
      headers.push({
        file,
        sopInstanceUid: text(dataset, 'SOPInstanceUID'),
        seriesInstanceUid: text(dataset, 'SeriesInstanceUID'),
        sopClassUid: text(dataset, 'SOPClassUID') || text(meta, 'MediaStorageSOPClassUID'),
        modality: text(dataset, 'Modality'),
        bodyPartExamined: text(dataset, 'BodyPartExamined'),
        studyDescription: text(dataset, 'StudyDescription'),
        seriesDescription: text(dataset, 'SeriesDescription'),
      });
    } catch (err) {
      skipped.push({ sopInstanceUid: '', reason: `${file}: not readable as DICOM (${(err as Error).message})` });
    }
  }
  const decision = createRouter(rules)(seriesFactsOf(headers, callingAet));
  const routed = decision.kind === 'analyse' ? new Map(decision.series.map((s) => [s.seriesInstanceUid, s.modelId])) : new Map<string, string>();
  const series: StudySeries[] = [...routed].map(([seriesInstanceUid, modelId]) => ({
    seriesInstanceUid,
    model: models.get(modelId)!,
    files: headers.filter((h) => h.seriesInstanceUid === seriesInstanceUid).map((h) => h.file),
  }));
  for (const h of headers) {
    if (!routed.has(h.seriesInstanceUid)) skipped.push({ sopInstanceUid: h.sopInstanceUid, reason: `no routing rule matches its series (modality ${h.modality || '(none)'})` });
  }
  return { series, skipped, reason: decision.kind === 'skip' ? decision.reason : null };
}
