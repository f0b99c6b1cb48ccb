/** Confusion-matrix heatmap (rows truth, columns prediction) with the count written in each cell. */
import type { TopLevelSpec } from 'vega-lite';
import { PLOT_CONFIG, renderSvg } from './render';

export interface ConfusionPlotInput {
  /** matrix[truth][predicted], as confusionMatrix returns it. */
  matrix: readonly (readonly number[])[];
  /** One label per class, e.g. ['I', 'II', 'III', 'IV']. */
  classLabels: readonly string[];
  title?: string;
  cellSize?: number;
}

export function confusionSpec(input: ConfusionPlotInput): TopLevelSpec {
  const { matrix, classLabels, title = 'Confusion matrix', cellSize = 60 } = input;
  if (matrix.length !== classLabels.length || matrix.some((row) => row.length !== classLabels.length)) {
    throw new RangeError(`confusion plot: ${classLabels.length} labels for a ${matrix.length}×${matrix[0]?.length ?? 0} matrix`);
  }
  const values = matrix.flatMap((row, t) => row.map((count, p) => ({ truth: classLabels[t], predicted: classLabels[p], count })));
  const max = Math.max(1, ...values.map((v) => v.count));
  const labels = [...classLabels];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: cellSize * labels.length,
    height: cellSize * labels.length,
    config: PLOT_CONFIG,
    data: { values },
    encoding: {
      x: { field: 'predicted', type: 'nominal', sort: labels, title: 'Predicted', axis: { labelAngle: 0 } },
      y: { field: 'truth', type: 'nominal', sort: labels, title: 'Truth' },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues', domain: [0, max] }, title: 'Cases' } } },
      {
        mark: { type: 'text', fontSize: 13 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          // Dark cells get white text so the count stays readable.
          color: { condition: { test: `datum.count > ${max / 2}`, value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

/** SVG heatmap of a K×K confusion matrix. */
export async function confusionPlotSvg(input: ConfusionPlotInput): Promise<string> {
  return renderSvg(confusionSpec(input));
}
