import { createRng } from '../../src/synth/rng';
import { brierScore, expectedCalibrationError, reliabilityCurve } from '../../src/training/metrics';

function sample(seed: number, n: number, distort: (q: number) => number): { labels: number[]; probs: number[] } {
  const rng = createRng(seed);
  const labels: number[] = [];
  const probs: number[] = [];
  for (let i = 0; i < n; i++) {
    const q = rng.next(); // true probability of cancer
    labels.push(rng.chance(q) ? 1 : 0);
    probs.push(distort(q));
  }
  return { labels, probs };
}

describe('calibration', () => {
  test('hand-computed bins, ECE and Brier score', () => {
    // Bins of width 0.5: [0, 0.5) holds 0.2 (y=0), 0.4 (y=1); [0.5, 1] holds 0.6 (y=1), 1.0 (y=1).
    const curve = reliabilityCurve([0, 1, 1, 1], [0.2, 0.4, 0.6, 1.0], 2);
    expect(curve.bins).toEqual([
      { lower: 0, upper: 0.5, count: 2, meanPredicted: expect.closeTo(0.3, 12), observedFraction: 0.5 },
      { lower: 0.5, upper: 1, count: 2, meanPredicted: expect.closeTo(0.8, 12), observedFraction: 1 },
    ]);
    // ECE = ½·|0.5 − 0.3| + ½·|1 − 0.8| = 0.2.
    expect(curve.ece).toBeCloseTo(0.2, 12);
    expect(curve.mce).toBeCloseTo(0.2, 12);
    // Brier = (0.04 + 0.36 + 0.16 + 0) / 4 = 0.14.
    expect(brierScore([0, 1, 1, 1], [0.2, 0.4, 0.6, 1.0])).toBeCloseTo(0.14, 12);
  });

  test('empty bins report null, not NaN', () => {
    const curve = reliabilityCurve([0, 1], [0.05, 0.95], 10);
    expect(curve.bins).toHaveLength(10);
    expect(curve.bins[5]).toEqual({ lower: 0.5, upper: 0.6, count: 0, meanPredicted: null, observedFraction: null });
  });

  test('a calibrated model has small ECE, an overconfident one a large ECE', () => {
    const calibrated = sample(1, 20000, (q) => q);
    // Overconfident: logits tripled push probabilities towards 0 and 1.
    const overconfident = sample(1, 20000, (q) => 1 / (1 + Math.exp(-3 * Math.log(q / (1 - q)))));
    const good = expectedCalibrationError(calibrated.labels, calibrated.probs);
    const bad = expectedCalibrationError(overconfident.labels, overconfident.probs);
    expect(good).toBeLessThan(0.02);
    expect(bad).toBeGreaterThan(0.1);
    expect(brierScore(overconfident.labels, overconfident.probs)).toBeGreaterThan(brierScore(calibrated.labels, calibrated.probs));
  });

  test('rejects probabilities outside [0, 1]', () => {
    expect(() => brierScore([1], [1.2])).toThrow(/outside \[0, 1\]/);
    expect(() => reliabilityCurve([1], [0.5], 0)).toThrow();
  });
});
