import { aggregateStudy } from '../../src/analysis/aggregate';
import { ImageResult } from '../../src/domain/analysis';

const image = (p: number, stage: [number, number, number, number], suspicious = p >= 0.5): ImageResult => ({
  modelId: 'es-demo',
  sopInstanceUid: `1.2.${Math.round(p * 1000)}`,
  seriesInstanceUid: '1.2.3',
  sopClassUid: '1.2.840.10008.5.1.4.1.1.77.1.1',
  frame: 0,
  cancerProbability: p,
  stageProbabilities: stage,
  suspicious,
  region: null,
});
const rule = { topK: 3, urgentProbability: 0.8, suspiciousProbability: 0.5 };

test('top-k mean, stage from suspicious images weighted by probability, priority from thresholds', () => {
  const images = [image(0.95, [0, 0, 0, 1]), image(0.85, [0, 0, 0.5, 0.5]), image(0.75, [1, 0, 0, 0]), image(0.1, [1, 0, 0, 0]), image(0.05, [1, 0, 0, 0])];
  const c = aggregateStudy(images, rule);
  expect(c.cancerProbability).toBeCloseTo((0.95 + 0.85 + 0.75) / 3, 10);
  expect(c.priority).toBe('urgent');
  const w = 0.95 + 0.85 + 0.75;
  expect(c.stage.distribution[3]).toBeCloseTo((0.95 + 0.85 * 0.5) / w, 10);
  expect(c.stage.distribution.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
  expect(c.stage.estimate).toBe('IV');
  expect(c.aggregation).toBe('mean of the top 3 image cancer probabilities');
});

test('a negative study is routine with no stage estimate; one image uses k = 1', () => {
  const c = aggregateStudy([image(0.2, [0.25, 0.25, 0.25, 0.25]), image(0.1, [1, 0, 0, 0])], rule);
  expect(c.priority).toBe('routine');
  expect(c.suspicious).toBe(false);
  expect(c.stage.estimate).toBeNull();
  const one = aggregateStudy([image(0.6, [0, 1, 0, 0])], rule);
  expect(one.cancerProbability).toBe(0.6);
  expect(one.priority).toBe('suspicious');
  expect(one.stage.estimate).toBe('II');
  expect(() => aggregateStudy([], rule)).toThrow(/no image results/);
});
