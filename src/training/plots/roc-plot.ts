/** ROC curve figure: the empirical curve, the chance diagonal, AUROC (and its CI) in the title. */
import type { TopLevelSpec } from 'vega-lite';
import { fmt, PLOT_CONFIG, renderSvg } from './render';

export interface RocPlotInput {
  /** Curve points ordered as rocCurve returns them (from (0, 0) to (1, 1)). */
  points: ReadonlyArray<{ fpr: number; tpr: number }>;
  auroc: number;
  /** Confidence interval of the AUROC, e.g. from bootstrapAurocCi. */
  ci?: { lower: number | null; upper: number | null; level: number };
  /** Title prefix, e.g. "Endoscopy, image level" (default "ROC"). */
  title?: string;
  width?: number;
  height?: number;
}

export function rocTitle(input: Pick<RocPlotInput, 'auroc' | 'ci' | 'title'>): string {
  const { auroc, ci, title = 'ROC' } = input;
  const interval = ci && ci.lower !== null && ci.upper !== null
    ? ` (${Math.round(ci.level * 100)}% CI ${fmt(ci.lower)}–${fmt(ci.upper)})`
    : '';
  return `${title}: AUROC ${fmt(auroc)}${interval}`;
}

export function rocSpec(input: RocPlotInput): TopLevelSpec {
  const unit = { type: 'quantitative' as const, scale: { domain: [0, 1] } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: rocTitle(input),
    width: input.width ?? 320,
    height: input.height ?? 320,
    config: PLOT_CONFIG,
    layer: [
      {
        data: { values: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] },
        mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
        encoding: { x: { field: 'fpr', ...unit }, y: { field: 'tpr', ...unit } },
      },
      {
        // `order` keeps the points in curve order: vertical runs share an fpr, so sorting by x would scramble them.
        data: { values: input.points.map((p, i) => ({ fpr: p.fpr, tpr: p.tpr, i })) },
        mark: { type: 'line', color: '#c0392b', strokeWidth: 2 },
        encoding: {
          x: { field: 'fpr', ...unit, title: '1 − specificity (false-positive rate)' },
          y: { field: 'tpr', ...unit, title: 'Sensitivity (true-positive rate)' },
          order: { field: 'i', type: 'quantitative' },
        },
      },
    ],
  };
}

/** SVG of the ROC curve. */
export async function rocPlotSvg(input: RocPlotInput): Promise<string> {
  return renderSvg(rocSpec(input));
}
