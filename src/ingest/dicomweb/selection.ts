/** Which studies and series a poll hands over: pure decisions, kept apart from the I/O so they are unit-tested. */
import type { SeriesSummary, StudySummary } from './dicom-json';

const upper = (modalities: readonly string[]): Set<string> => new Set(modalities.map((m) => m.trim().toUpperCase()));

/** A study is of interest when it contains a wanted modality, or when the server did not say (series decide). */
export function isWantedStudy(study: StudySummary, modalities: readonly string[]): boolean {
  if (study.modalitiesInStudy === null) return true;
  const wanted = upper(modalities);
  return study.modalitiesInStudy.some((m) => wanted.has(m.toUpperCase()));
}

/**
 * What "already seen" compares: the instance count the PACS reports. null when unknown: such a study is examined
 * every poll (its series still carry their own counts, so nothing is downloaded twice).
 */
export function studySignature(study: StudySummary): string | null {
  return study.instanceCount === null ? null : String(study.instanceCount);
}

export function seriesSignature(series: SeriesSummary): string | null {
  return series.instanceCount === null ? null : String(series.instanceCount);
}

export type SeriesDecision = 'fetch' | 'own-result' | 'other-modality' | 'unchanged';

export interface SeriesDecisionInput {
  series: SeriesSummary;
  modalities: readonly string[];
  isOwnSeries: (seriesDescription: string) => boolean;
  /** Whether the state has this series with its current signature. */
  seen: boolean;
}

export function decideSeries(input: SeriesDecisionInput): SeriesDecision {
  if (input.isOwnSeries(input.series.seriesDescription)) return 'own-result';
  // SR, SEG, KO, PR… from anyone are not inputs of the models: only the configured image modalities are fetched.
  if (!upper(input.modalities).has(input.series.modality.toUpperCase())) return 'other-modality';
  return input.seen ? 'unchanged' : 'fetch';
}
