/** Training curves: loss and one metric per epoch, train and validation, in two stacked panels. */
import type { TopLevelSpec } from 'vega-lite';
import { PLOT_CONFIG, renderSvg } from './render';

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  validationLoss?: number;
  trainMetric?: number;
  validationMetric?: number;
}

export interface TrainingCurvesInput {
  epochs: readonly EpochRecord[];
  /** Name of the metric panel, e.g. "AUROC" (default "Metric"). */
  metricName?: string;
  title?: string;
  width?: number;
}

type Split = 'train' | 'validation';

function series(epochs: readonly EpochRecord[], pick: (e: EpochRecord) => Record<Split, number | undefined>) {
  return epochs.flatMap((e) =>
    (Object.entries(pick(e)) as Array<[Split, number | undefined]>)
      // Missing or non-finite values (no validation that epoch, a diverged loss) leave a gap, not a zero.
      .filter((entry): entry is [Split, number] => entry[1] !== undefined && Number.isFinite(entry[1]))
      .map(([split, value]) => ({ epoch: e.epoch, split, value })),
  );
}

export function trainingCurvesSpec(input: TrainingCurvesInput): TopLevelSpec {
  const { epochs, metricName = 'Metric', title = 'Training curves', width = 420 } = input;
  const panel = (values: ReturnType<typeof series>, yTitle: string) => ({
    width,
    height: 180,
    data: { values },
    mark: { type: 'line' as const, point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative' as const, title: 'Epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative' as const, title: yTitle, scale: { zero: false } },
      color: { field: 'split', type: 'nominal' as const, title: 'Split', scale: { domain: ['train', 'validation'], range: ['#1f77b4', '#ff7f0e'] } },
    },
  });
  const loss = series(epochs, (e) => ({ train: e.trainLoss, validation: e.validationLoss }));
  const metric = series(epochs, (e) => ({ train: e.trainMetric, validation: e.validationMetric }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    config: PLOT_CONFIG,
    vconcat: metric.length > 0 ? [panel(loss, 'Loss'), panel(metric, metricName)] : [panel(loss, 'Loss')],
  };
}

/** SVG of the loss (and metric, when recorded) per epoch. */
export async function trainingCurvesPlotSvg(input: TrainingCurvesInput): Promise<string> {
  return renderSvg(trainingCurvesSpec(input));
}
