/**
 * Routing: which model reads which series, from the declarative rules in config (routing.rules). The first rule that
 * matches a series wins; a study none of whose series match is skipped, and the reason names what it held.
 */
import { isResultSeries } from '../domain/result-series';
import { Modality } from '../imaging/preprocess';

export interface RoutingRule {
  model: Modality;
  modality: Modality;
  /** Case-insensitive regular expressions. */
  bodyPartPattern?: string;
  studyDescriptionPattern?: string;
  callingAet?: string;
}

export interface SeriesFacts {
  seriesInstanceUid: string;
  modality: string;
  bodyPartExamined: string;
  studyDescription: string;
  seriesDescription: string;
  callingAet: string | null;
}

export type RoutingDecision =
  | { kind: 'analyse'; series: Array<{ seriesInstanceUid: string; model: Modality }> }
  | { kind: 'skip'; reason: string };

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


export function createRouter(rules: readonly RoutingRule[]): (series: readonly SeriesFacts[]) => RoutingDecision {
  const compiled: CompiledRule[] = rules.map((r, i) => ({
    ...r,
    bodyPart: compile(r.bodyPartPattern, `routing.rules.${i}.bodyPartPattern`),
    studyDescription: compile(r.studyDescriptionPattern, `routing.rules.${i}.studyDescriptionPattern`),
  }));
  const matches = (rule: CompiledRule, s: SeriesFacts): boolean =>
    rule.modality === s.modality &&
    (!rule.bodyPart || rule.bodyPart.test(s.bodyPartExamined)) &&
    (!rule.studyDescription || rule.studyDescription.test(s.studyDescription)) &&
    (!rule.callingAet || rule.callingAet === s.callingAet);

  return (series) => {
    const chosen: Array<{ seriesInstanceUid: string; model: Modality }> = [];
    const unmatched: string[] = [];
    for (const s of series) {
      if (isResultSeries(s.seriesDescription)) continue;
      const rule = compiled.find((r) => matches(r, s));
      if (rule) chosen.push({ seriesInstanceUid: s.seriesInstanceUid, model: rule.model });
      else unmatched.push(s.bodyPartExamined ? `${s.modality || '?'} (${s.bodyPartExamined})` : s.modality || '?');
    }
    if (chosen.length > 0) return { kind: 'analyse', series: chosen };
    const held = [...new Set(unmatched)].join(', ') || 'no series';
    return { kind: 'skip', reason: `not a gastric study for the routing rules: no rule matches its series (${held})` };
  };
}
