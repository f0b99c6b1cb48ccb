import { confusionAtThreshold, normalQuantile, thresholdMetrics, wilsonInterval } from '../../src/training/metrics';

describe('Wilson interval', () => {
  test('known values', () => {
    // 8/10, z = 1.96: centre (0.8 + 0.19207)/1.38415 = 0.71681, half-width 0.22657.
    const ci = wilsonInterval(8, 10)!;
    expect(ci.lower).toBeCloseTo(0.4902, 4);
    expect(ci.upper).toBeCloseTo(0.9433, 4);
    // 0/10: lower bound exactly 0, upper z²/(n + z²) = 3.8415/13.8415 = 0.2775.
    expect(wilsonInterval(0, 10)).toEqual({ lower: 0, upper: expect.closeTo(0.2775, 4) });
    expect(wilsonInterval(10, 10)!.upper).toBe(1);
    expect(wilsonInterval(0, 0)).toBeNull();
    // 90 %: z = 1.6449, z² = 2.7055; centre 0.93528/1.27055 = 0.73612, half 1.6449·0.15088/1.27055 = 0.19533.
    expect(wilsonInterval(8, 10, 0.9)!.lower).toBeCloseTo(0.5408, 4);
  });

  test('normal quantile', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
  });

  test('refuses impossible counts', () => {
    expect(() => wilsonInterval(11, 10)).toThrow();
    expect(() => wilsonInterval(1.5, 10)).toThrow();
  });
});

describe('threshold metrics', () => {
  const labels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
  const probs = [0.9, 0.7, 0.5, 0.2, 0.6, 0.5, 0.3, 0.1, 0.05, 0.0];

  test('probability >= threshold is positive', () => {
    expect(confusionAtThreshold(labels, probs, 0.5)).toEqual({ tp: 3, fn: 1, fp: 2, tn: 4 });
  });

  test('ratios and intervals', () => {
    const m = thresholdMetrics(labels, probs, 0.5);
    expect(m.sensitivity.value).toBe(3 / 4);
    expect(m.specificity.value).toBe(4 / 6);
    expect(m.ppv.value).toBe(3 / 5);
    expect(m.npv.value).toBe(4 / 5);
    expect(m.accuracy).toMatchObject({ value: 7 / 10, successes: 7, trials: 10 });
    expect(m.f1).toBeCloseTo((2 * 3) / (2 * 3 + 2 + 1), 12);
    expect(m.accuracy.ci!.lower).toBeLessThan(0.7);
    expect(m.accuracy.ci!.upper).toBeGreaterThan(0.7);
  });

  test('undefined ratios are null, never NaN', () => {
    // No positive calls and no cancers at all.
    const m = thresholdMetrics([0, 0, 0], [0.1, 0.2, 0.3], 0.5);
    expect(m.sensitivity).toEqual({ value: null, successes: 0, trials: 0, ci: null });
    expect(m.ppv.value).toBeNull();
    expect(m.f1).toBeNull();
    expect(m.specificity.value).toBe(1);
    expect(JSON.stringify(m)).not.toMatch(/NaN/);
  });
});
