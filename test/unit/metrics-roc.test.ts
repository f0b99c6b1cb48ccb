import { createRng } from '../../src/synth/rng';
import { auroc, bootstrapAurocCi, MetricInputError, rocCurve, trapezoidArea } from '../../src/training/metrics';

/** O(n²) definition: P(score of positive > score of negative), ties ½. */
function pairwiseAuroc(labels: number[], scores: number[]): number {
  let sum = 0;
  let pairs = 0;
  labels.forEach((yp, p) => {
    if (yp !== 1) return;
    labels.forEach((yn, n) => {
      if (yn !== 0) return;
      pairs++;
      sum += scores[p] > scores[n] ? 1 : scores[p] === scores[n] ? 0.5 : 0;
    });
  });
  return sum / pairs;
}

function randomSample(seed: number, n: number, separation = 1, decimals?: number): { labels: number[]; scores: number[] } {
  const rng = createRng(seed);
  const labels: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = rng.chance(0.4) ? 1 : 0;
    let s = 1 / (1 + Math.exp(-rng.normal(y * separation, 1)));
    if (decimals !== undefined) s = Number(s.toFixed(decimals));
    labels.push(y);
    scores.push(s);
  }
  return { labels, scores };
}

describe('AUROC', () => {
  test('hand-computed case: 3 of 4 positive–negative pairs ordered correctly', () => {
    // Pairs (pos, neg): 0.35>0.1 ✓, 0.35<0.4 ✗, 0.8>0.1 ✓, 0.8>0.4 ✓ → 3/4.
    expect(auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
  });

  test('perfect = 1, inverted = 0, all tied = 0.5', () => {
    expect(auroc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.9])).toBe(1);
    expect(auroc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.9])).toBe(0);
    expect(auroc([0, 1, 0, 1, 1], [0.5, 0.5, 0.5, 0.5, 0.5])).toBe(0.5);
  });

  test('needs both classes and well-formed input', () => {
    expect(() => auroc([1, 1], [0.2, 0.3])).toThrow(MetricInputError);
    expect(() => auroc([0, 2], [0.2, 0.3])).toThrow(/expected 0 or 1/);
    expect(() => auroc([0, 1], [0.2])).toThrow(/lengths differ/);
    expect(() => auroc([0, 1], [0.2, NaN])).toThrow(/not finite/);
  });

  test('equals the pairwise definition and the trapezoid area of the ROC curve on random data with ties', () => {
    for (const seed of [1, 2, 3]) {
      const { labels, scores } = randomSample(seed, 400, 1, 1); // one decimal: many ties
      const a = auroc(labels, scores);
      expect(a).toBeCloseTo(pairwiseAuroc(labels, scores), 12);
      expect(trapezoidArea(rocCurve(labels, scores))).toBeCloseTo(a, 12);
    }
  });
});

describe('ROC curve', () => {
  test('tied scores form one diagonal step; thresholds descend from +Infinity', () => {
    // Descending: 0.9 (pos), then 0.5 (neg and pos together), then 0.2 (neg).
    const points = rocCurve([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]);
    expect(points).toEqual([
      { fpr: 0, tpr: 0, threshold: Infinity },
      { fpr: 0, tpr: 0.5, threshold: 0.9 },
      { fpr: 0.5, tpr: 1, threshold: 0.5 },
      { fpr: 1, tpr: 1, threshold: 0.2 },
    ]);
    // Area 0.375 + 0.5 = 0.875 = (2 + 0.5 + 1) / 4 pairs.
    expect(trapezoidArea(points)).toBeCloseTo(0.875, 12);
    expect(auroc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBeCloseTo(0.875, 12);
  });

  test('the result does not depend on input order', () => {
    const { labels, scores } = randomSample(7, 200, 1, 2);
    const reversed = rocCurve([...labels].reverse(), [...scores].reverse());
    expect(reversed).toEqual(rocCurve(labels, scores));
  });
});

describe('bootstrap CI of the AUROC', () => {
  test('contains the point estimate, is deterministic for a seed, and narrows with more data', () => {
    const small = randomSample(11, 60);
    const large = randomSample(12, 1500);
    const ciSmall = bootstrapAurocCi(small.labels, small.scores, { seed: 5, iterations: 1000 });
    const ciLarge = bootstrapAurocCi(large.labels, large.scores, { seed: 5, iterations: 1000 });
    for (const ci of [ciSmall, ciLarge]) {
      expect(ci.lower!).toBeLessThanOrEqual(ci.estimate);
      expect(ci.upper!).toBeGreaterThanOrEqual(ci.estimate);
      expect(ci.used + ci.skipped).toBe(1000);
      expect(ci.level).toBe(0.95);
      expect(ci.resampling).toBe('cases');
    }
    expect(ciSmall.estimate).toBe(auroc(small.labels, small.scores));
    expect(ciLarge.upper! - ciLarge.lower!).toBeLessThan((ciSmall.upper! - ciSmall.lower!) / 2);
    expect(bootstrapAurocCi(small.labels, small.scores, { seed: 5, iterations: 1000 })).toEqual(ciSmall);
    expect(bootstrapAurocCi(small.labels, small.scores, { seed: 6, iterations: 1000 })).not.toEqual(ciSmall);
  });

  test('resamples with a single class are skipped and counted', () => {
    // Two cases: a resample holds both with probability 1/2.
    const ci = bootstrapAurocCi([0, 1], [0.2, 0.7], { seed: 1, iterations: 400 });
    expect(ci.skipped).toBeGreaterThan(100);
    expect(ci.used).toBeGreaterThan(100);
    expect(ci.used + ci.skipped).toBe(400);
    expect([ci.lower, ci.upper]).toEqual([1, 1]);
  });

  test('cluster bootstrap over patients is wider than the image bootstrap when images of a patient are correlated', () => {
    // 40 patients × 10 images; a patient's images share label and nearly the same score.
    const rng = createRng(99);
    const labels: number[] = [];
    const scores: number[] = [];
    const groups: string[] = [];
    for (let p = 0; p < 40; p++) {
      const y = p % 2;
      const patientScore = rng.normal(y * 0.8, 1);
      for (let i = 0; i < 10; i++) {
        labels.push(y);
        scores.push(patientScore + rng.normal(0, 0.05));
        groups.push(`P${p}`);
      }
    }
    const plain = bootstrapAurocCi(labels, scores, { seed: 3, iterations: 1000 });
    const cluster = bootstrapAurocCi(labels, scores, { seed: 3, iterations: 1000, groups });
    expect(cluster.resampling).toBe('clusters');
    expect(cluster.units).toBe(40);
    expect(cluster.estimate).toBe(plain.estimate);
    expect(cluster.upper! - cluster.lower!).toBeGreaterThan(2 * (plain.upper! - plain.lower!));
  });

  test('rejects a bad level or iteration count', () => {
    expect(() => bootstrapAurocCi([0, 1], [0.1, 0.9], { seed: 1, level: 1 })).toThrow(MetricInputError);
    expect(() => bootstrapAurocCi([0, 1], [0.1, 0.9], { seed: 1, iterations: 0 })).toThrow(MetricInputError);
    expect(() => bootstrapAurocCi([0, 1], [0.1, 0.9], { seed: 1, groups: ['a'] })).toThrow(/lengths differ/);
  });
});
