/**
 * Renders a Vega-Lite spec to a standalone SVG document, headlessly: Vega's 'none' renderer builds the
 * scenegraph without a canvas, and toSVG() serialises it (text widths are estimated, which is fine for
 * report figures). Plot functions build specs from plain data; only this file touches Vega.
 */
import * as vega from 'vega';
import { compile, TopLevelSpec } from 'vega-lite';

/** Shared look of the evaluation figures. */
export const PLOT_CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  title: { fontSize: 13, anchor: 'start' as const },
  view: { stroke: '#888' },
};

/** Three decimals, the precision the evaluation report uses for rates and areas. */
export function fmt(value: number): string {
  return value.toFixed(3);
}

/**
 * SVG text of the spec, with an XML declaration so the file also opens as a standalone document
 * (titles may hold non-ASCII such as "–" or "≥").
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return `<?xml version="1.0" encoding="UTF-8"?>\n${svg}`;
  } finally {
    view.finalize();
  }
}
