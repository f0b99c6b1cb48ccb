/**
 * Routing: which model (by package id) reads which series, from the declarative rules in config (routing.rules).
 * A rule matches on any DICOM modality, SOP class and calling AE, narrowed by body part and study description
 * patterns; the first rule that matches a series wins. A study none of whose series match is skipped, and the reason
 * names what it held. The decision (series → model id) is what the analysis runs: nothing downstream re-derives it.
 */
import { isResultSeries } from '../domain/result-series';

export interface RoutingRule {
  /** Model package id (inference.models). */
  model: string;
  /** DICOM Modality of the series (ES, CT, PT, OT, XC…). */
  modality?: string;
  sopClassUid?: string;
  /** Case-insensitive regular expressions. */
  bodyPartPattern?: string;
  studyDescriptionPattern?: string;
  callingAet?: string;
}

export interface SeriesFacts {
  seriesInstanceUid: string;
  modality: string;
  /** SOP classes of the series' instances. */
  sopClassUids: readonly string[];
  bodyPartExamined: string;
  studyDescription: string;
  seriesDescription: string;
  callingAet: string | null;
}

export interface RoutedSeries {
  seriesInstanceUid: string;
  modelId: string;
}

export type RoutingDecision = { kind: 'analyse'; series: RoutedSeries[] } | { kind: 'skip'; reason: string };

export type Router = (series: readonly SeriesFacts[]) => RoutingDecision;

export class RoutingConfigError extends Error {
  override readonly name = 'RoutingConfigError';
}

interface CompiledRule extends RoutingRule {
  bodyPart: RegExp | null;
  studyDescription: RegExp | null;
}

const compile = (pattern: string | undefined, where: string): RegExp | null => {
  if (pattern === undefined) return null;
  try {
    return new RegExp(pattern, 'i');
  } catch (err) {
    throw new RoutingConfigError(`${where}: not a regular expression (${(err as Error).message})`);
  }
};

const matches = (rule: CompiledRule, s: SeriesFacts): boolean =>
  (rule.modality === undefined || rule.modality === s.modality) &&
  (rule.sopClassUid === undefined || s.sopClassUids.includes(rule.sopClassUid)) &&
  (rule.callingAet === undefined || rule.callingAet === s.callingAet) &&
  (!rule.bodyPart || rule.bodyPart.test(s.bodyPartExamined)) &&
  (!rule.studyDescription || rule.studyDescription.test(s.studyDescription));

const describe = (s: SeriesFacts): string => (s.bodyPartExamined ? `${s.modality || '?'} (${s.bodyPartExamined})` : s.modality || '?');

export function createRouter(rules: readonly RoutingRule[]): Router {
  const compiled: CompiledRule[] = rules.map((r, i) => ({
    ...r,
    bodyPart: compile(r.bodyPartPattern, `routing.rules.${i}.bodyPartPattern`),
    studyDescription: compile(r.studyDescriptionPattern, `routing.rules.${i}.studyDescriptionPattern`),
  }));
  return (series) => {
    const chosen: RoutedSeries[] = [];
    const unmatched: string[] = [];
    for (const s of series) {
      if (isResultSeries(s.seriesDescription)) continue;
      const rule = compiled.find((r) => matches(r, s));
      if (rule) chosen.push({ seriesInstanceUid: s.seriesInstanceUid, modelId: rule.model });
      else unmatched.push(describe(s));
    }
    if (chosen.length > 0) return { kind: 'analyse', series: chosen };
    const held = [...new Set(unmatched)].join(', ') || 'no series';
    return { kind: 'skip', reason: `not a gastric study for the routing rules: no rule matches its series (${held})` };
  };
}

/** Per-series facts from per-instance rows (the store's, or headers read by the CLI): the first instance speaks for the series. */
export function seriesFactsOf(
  instances: ReadonlyArray<{ seriesInstanceUid: string; sopClassUid: string; modality: string; bodyPartExamined: string; studyDescription: string; seriesDescription: string }>,
  callingAet: string | null,
): SeriesFacts[] {
  const bySeries = new Map<string, SeriesFacts & { sopClassUids: string[] }>();
  for (const i of instances) {
    const known = bySeries.get(i.seriesInstanceUid);
    if (known) {
      if (!known.sopClassUids.includes(i.sopClassUid)) known.sopClassUids.push(i.sopClassUid);
      continue;
    }
    bySeries.set(i.seriesInstanceUid, {
      seriesInstanceUid: i.seriesInstanceUid,
      modality: i.modality,
      sopClassUids: [i.sopClassUid],
      bodyPartExamined: i.bodyPartExamined,
      studyDescription: i.studyDescription,
      seriesDescription: i.seriesDescription,
      callingAet,
    });
  }
  return [...bySeries.values()];
}
