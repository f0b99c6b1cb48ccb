import { auroc, bootstrapAurocCi, confusionMatrix, reliabilityCurve, rocCurve } from '../../src/training/metrics';
import { confusionPlotSvg, reliabilityPlotSvg, rocPlotSvg, rocTitle, trainingCurvesPlotSvg } from '../../src/training/plots';

/** Minimal well-formedness check: an XML declaration, one <svg> root, and every element closed in order. */
function expectWellFormedSvg(svg: string): void {
  expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  const body = svg.slice(svg.indexOf('?>') + 2);
  const stack: string[] = [];
  for (const [, close, name, , selfClose] of body.matchAll(/<(\/?)([A-Za-z][\w:.-]*)((?:"[^"]*"|'[^']*'|[^'">])*?)(\/?)>/g)) {
    if (close) expect(stack.pop()).toBe(name);
    else if (!selfClose) stack.push(name);
  }
  expect(stack).toEqual([]);
  // Text outside tags holds no raw '<' or bare '&'.
  const text = body.replace(/<(?:"[^"]*"|'[^']*'|[^'">])*>/g, '');
  expect(text).not.toMatch(/<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/);
}

describe('evaluation plots', () => {
  test('ROC curve with AUROC and CI in the title', async () => {
    const labels = [0, 0, 1, 1, 0, 1, 0, 1];
    const scores = [0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.6, 0.55];
    const ci = bootstrapAurocCi(labels, scores, { seed: 1, iterations: 200 });
    const svg = await rocPlotSvg({ points: rocCurve(labels, scores), auroc: auroc(labels, scores), ci, title: 'Endoscopy' });
    expectWellFormedSvg(svg);
    expect(svg).toContain(`Endoscopy: AUROC ${auroc(labels, scores).toFixed(3)} (95% CI`);
    expect(rocTitle({ auroc: 0.75, ci: { lower: 0.5, upper: 0.9, level: 0.95 } })).toBe('ROC: AUROC 0.750 (95% CI 0.500–0.900)');
    expect(rocTitle({ auroc: 0.75 })).toBe('ROC: AUROC 0.750');
  });

  test('confusion matrix heatmap shows class labels and counts', async () => {
    const matrix = confusionMatrix([0, 0, 1, 2, 3, 3, 3], [0, 1, 1, 2, 3, 2, 3], 4);
    const svg = await confusionPlotSvg({ matrix, classLabels: ['I', 'II', 'III', 'IV'], title: 'Stage confusion' });
    expectWellFormedSvg(svg);
    expect(svg).toContain('Stage confusion');
    expect(svg).toMatch(/>IV</);
    expect(svg).toMatch(/>2</); // the stage IV → IV cell
    await expect(confusionPlotSvg({ matrix, classLabels: ['I', 'II'] })).rejects.toThrow(RangeError);
  });

  test('reliability diagram with ECE in the title', async () => {
    const curve = reliabilityCurve([0, 1, 1, 1, 0, 0], [0.2, 0.4, 0.6, 1.0, 0.1, 0.7], 5);
    const svg = await reliabilityPlotSvg({ ...curve, title: 'CT calibration' });
    expectWellFormedSvg(svg);
    expect(svg).toContain(`CT calibration: ECE ${curve.ece.toFixed(3)}`);
  });

  test('training curves for loss and metric, with gaps for missing validation', async () => {
    const svg = await trainingCurvesPlotSvg({
      epochs: [
        { epoch: 1, trainLoss: 0.69, validationLoss: 0.7, trainMetric: 0.6, validationMetric: 0.58 },
        { epoch: 2, trainLoss: 0.5, trainMetric: 0.75 },
        { epoch: 3, trainLoss: 0.4, validationLoss: 0.48, trainMetric: 0.82, validationMetric: 0.79 },
      ],
      metricName: 'AUROC',
      title: 'ResNet50 endoscopy & CT',
    });
    expectWellFormedSvg(svg);
    expect(svg).toContain('ResNet50 endoscopy &amp; CT');
    expect(svg).toContain('AUROC');
    expect(svg).toContain('validation');
  });
});
