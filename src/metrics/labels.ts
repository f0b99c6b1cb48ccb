/**
 * Metric and label names, label sets and their text form in the Prometheus exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details).
 */

/** Label values of one series, keyed by label name. */
export type LabelSet = Readonly<Record<string, string>>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class MetricDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricDefinitionError';
  }
}

export function assertMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new MetricDefinitionError(`invalid metric name "${name}"`);
}

/** Names starting with "__" are reserved for Prometheus itself; `reserved` adds names an instrument uses (le). */
export function assertLabelNames(metric: string, labelNames: readonly string[], reserved: readonly string[] = []): void {
  const seen = new Set<string>();
  for (const label of labelNames) {
    if (!LABEL_NAME.test(label) || label.startsWith('__')) throw new MetricDefinitionError(`${metric}: invalid label name "${label}"`);
    if (reserved.includes(label)) throw new MetricDefinitionError(`${metric}: label name "${label}" is reserved`);
    if (seen.has(label)) throw new MetricDefinitionError(`${metric}: duplicate label name "${label}"`);
    seen.add(label);
  }
}

/**
 * Checks that a label set has exactly the declared labels (a typo would otherwise create a new series silently)
 * and returns a key identifying the series.
 */
export function seriesKey(metric: string, labelNames: readonly string[], labels: LabelSet | undefined): string {
  const given = labels ?? {};
  const givenNames = Object.keys(given);
  const unknown = givenNames.filter((n) => !labelNames.includes(n));
  const missing = labelNames.filter((n) => !(n in given));
  if (unknown.length > 0 || missing.length > 0) {
    throw new MetricDefinitionError(
      `${metric}: labels must be exactly [${labelNames.join(', ')}]` +
        (unknown.length ? `; unknown: ${unknown.join(', ')}` : '') +
        (missing.length ? `; missing: ${missing.join(', ')}` : ''),
    );
  }
  return JSON.stringify(labelNames.map((n) => String(given[n])));
}

/** Label values escape backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed (not quotes). */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** `{a="1",b="2"}` in the declared label order, or '' for a series without labels. */
export function formatLabels(labelNames: readonly string[], labels: LabelSet, extra?: { name: string; value: string }): string {
  const parts = labelNames.map((n) => `${n}="${escapeLabelValue(String(labels[n]))}"`);
  if (extra) parts.push(`${extra.name}="${escapeLabelValue(extra.value)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** Sample values as Go's ParseFloat reads them: +Inf, -Inf and NaN spelled out. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
