import { createRng } from '../../src/synth/rng';
import { cohenKappa, confusionMatrix, multiclassAccuracy, perClassRecall, quadraticWeightedKappa } from '../../src/training/metrics';

describe('multiclass stage metrics', () => {
  test('confusion matrix rows are truth, columns prediction', () => {
    const m = confusionMatrix([0, 0, 1, 2, 3, 3], [0, 1, 1, 2, 3, 2], 4);
    expect(m).toEqual([
      [1, 1, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 1, 1],
    ]);
    expect(multiclassAccuracy(m)).toBeCloseTo(4 / 6, 12);
    expect(perClassRecall(m).map((r) => r.recall)).toEqual([0.5, 1, 1, 0.5]);
    expect(() => confusionMatrix([4], [0], 4)).toThrow(/0\.\.3/);
  });

  test('a class without cases has recall null; an empty matrix has accuracy null', () => {
    expect(perClassRecall([[2, 0], [0, 0]])[1]).toEqual({ classIndex: 1, support: 0, recall: null });
    expect(multiclassAccuracy([[0, 0], [0, 0]])).toBeNull();
  });

  test('perfect agreement gives kappa 1', () => {
    const m = confusionMatrix([0, 1, 2, 3, 3, 1], [0, 1, 2, 3, 3, 1], 4);
    expect(quadraticWeightedKappa(m)).toBe(1);
    expect(cohenKappa(m)).toBe(1);
  });

  test('hand-computed 3-class example', () => {
    // O = [[2,1,0],[0,2,1],[0,0,2]], n = 8; row sums 3,3,2; column sums 2,3,3.
    // Unweighted: po = 6/8, pe = (3·2 + 3·3 + 2·3)/64 = 21/64, κ = (48/64 − 21/64)/(43/64) = 27/43 ≈ 0.6279.
    // Quadratic: w_ij = (i−j)²/4. Observed Σ w·O/n = (0.25 + 0.25)/8 = 1/16.
    //   Expected E_ij = r_i·c_j/n: row0 [0.75, 1.125, 1.125], row1 [0.75, 1.125, 1.125], row2 [0.5, 0.75, 0.75];
    //   Σ w·E = 0.25·1.125 + 1·1.125 + 0.25·0.75 + 0.25·1.125 + 1·0.5 + 0.25·0.75 = 2.5625, /n = 0.3203125.
    //   κ_w = 1 − 0.0625/0.3203125 = 1 − 8/41 = 33/41 ≈ 0.8049.
    // Linear: w = |i−j|/2; observed (0.5 + 0.5)/8 = 0.125;
    //   expected (0.5·1.125 + 1·1.125 + 0.5·0.75 + 0.5·1.125 + 1·0.5 + 0.5·0.75)/8 = 3.5/8; κ = 1 − 1/3.5 = 5/7.
    const m = [[2, 1, 0], [0, 2, 1], [0, 0, 2]];
    expect(cohenKappa(m)).toBeCloseTo(27 / 43, 12);
    expect(quadraticWeightedKappa(m)).toBeCloseTo(33 / 41, 12);
    expect(cohenKappa(m, 'linear')).toBeCloseTo(5 / 7, 12);
  });

  test('textbook 2×2 example (Wikipedia, "Cohen\'s kappa"): κ = 0.4', () => {
    // 50 grant proposals, two readers: yes/yes 20, yes/no 5, no/yes 10, no/no 15.
    // po = 35/50 = 0.7; reader A says yes 25/50, reader B 30/50: pe = 0.5·0.6 + 0.5·0.4 = 0.5; κ = 0.2/0.5 = 0.4.
    // With two classes every weighting is the same (the only off-diagonal weight is 1).
    const m = [[20, 5], [10, 15]];
    expect(cohenKappa(m)).toBeCloseTo(0.4, 12);
    expect(quadraticWeightedKappa(m)).toBeCloseTo(0.4, 12);
  });

  test('independent predictions are near chance: kappa ≈ 0', () => {
    const rng = createRng(42);
    const truth: number[] = [];
    const predicted: number[] = [];
    for (let i = 0; i < 20000; i++) {
      truth.push(rng.int(0, 3));
      predicted.push(rng.weighted([0, 1, 2, 3], [1, 2, 3, 4]));
    }
    const m = confusionMatrix(truth, predicted, 4);
    expect(Math.abs(quadraticWeightedKappa(m)!)).toBeLessThan(0.03);
    expect(Math.abs(cohenKappa(m)!)).toBeLessThan(0.03);
  });

  test('kappa is null when chance disagreement is zero', () => {
    expect(cohenKappa([[5, 0], [0, 0]])).toBeNull();
  });
});
