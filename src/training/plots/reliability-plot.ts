/** Reliability diagram: observed cancer fraction per probability bin against the diagonal of perfect calibration. */
import type { TopLevelSpec } from 'vega-lite';
import { fmt, PLOT_CONFIG, renderSvg } from './render';

export interface ReliabilityPlotInput {
  /** Bins as reliabilityCurve returns them; empty bins are left blank. */
  bins: ReadonlyArray<{ lower: number; upper: number; count: number; meanPredicted: number | null; observedFraction: number | null }>;
  ece: number;
  title?: string;
  width?: number;
  height?: number;
}

export function reliabilityTitle(input: Pick<ReliabilityPlotInput, 'ece' | 'title'>): string {
  return `${input.title ?? 'Reliability'}: ECE ${fmt(input.ece)}`;
}

export function reliabilitySpec(input: ReliabilityPlotInput): TopLevelSpec {
  const unit = { type: 'quantitative' as const, scale: { domain: [0, 1] } };
  const filled = input.bins.filter((b) => b.count > 0);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: reliabilityTitle(input),
    width: input.width ?? 320,
    height: input.height ?? 320,
    config: PLOT_CONFIG,
    layer: [
      {
        // Bars span their bin and rise to the observed fraction.
        data: { values: filled.map((b) => ({ lower: b.lower, upper: b.upper, observed: b.observedFraction, count: b.count })) },
        mark: { type: 'rect', color: '#5b8db8', opacity: 0.6, stroke: 'white' },
        encoding: {
          x: { field: 'lower', ...unit, title: 'Predicted probability' },
          x2: { field: 'upper' },
          y: { field: 'observed', ...unit, title: 'Observed fraction with cancer' },
          y2: { datum: 0 },
        },
      },
      {
        // Points at the mean predicted probability: where the bin's cases actually sit.
        data: { values: filled.map((b) => ({ predicted: b.meanPredicted, observed: b.observedFraction, count: b.count })) },
        mark: { type: 'point', filled: true, color: '#c0392b' },
        encoding: {
          x: { field: 'predicted', ...unit },
          y: { field: 'observed', ...unit },
          size: { field: 'count', type: 'quantitative', title: 'Cases' },
        },
      },
      {
        data: { values: [{ p: 0 }, { p: 1 }] },
        mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
        encoding: { x: { field: 'p', ...unit }, y: { field: 'p', ...unit } },
      },
    ],
  };
}

/** SVG reliability diagram with ECE in the title. */
export async function reliabilityPlotSvg(input: ReliabilityPlotInput): Promise<string> {
  return renderSvg(reliabilitySpec(input));
}
