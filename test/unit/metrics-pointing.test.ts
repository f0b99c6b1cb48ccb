import { argmaxPixel, insidePolygon, PixelPolygon, pointingGameHit, pointingGameHitRate } from '../../src/training/metrics';

function mapWithPeak(width: number, height: number, peaks: Array<[number, number, number]>): Float32Array {
  const map = new Float32Array(width * height).fill(0.1);
  for (const [x, y, v] of peaks) map[y * width + x] = v;
  return map;
}

const square: PixelPolygon = [[2, 2], [6, 2], [6, 6], [2, 6]];

describe('pointing game', () => {
  test('argmax is (column, row); ties go to the first maximum in row-major order', () => {
    expect(argmaxPixel(mapWithPeak(10, 8, [[3, 4, 0.9]]), 10, 8)).toEqual({ x: 3, y: 4 });
    expect(argmaxPixel(mapWithPeak(10, 8, [[7, 1, 0.9], [2, 5, 0.9]]), 10, 8)).toEqual({ x: 7, y: 1 });
    expect(argmaxPixel(new Float32Array([NaN, 0.2, 0.5, NaN]), 2, 2)).toEqual({ x: 0, y: 1 });
    expect(() => argmaxPixel(new Float32Array(5), 2, 2)).toThrow(/does not match/);
  });

  test('hit inside a polygon, miss outside', () => {
    const hit = { map: mapWithPeak(10, 10, [[3, 4, 0.9]]), width: 10, height: 10, polygons: [square] };
    const miss = { map: mapWithPeak(10, 10, [[8, 8, 0.9]]), width: 10, height: 10, polygons: [square] };
    expect(pointingGameHit(hit)).toBe(true);
    expect(pointingGameHit(miss)).toBe(false);
    // Within 3 px of the square's corner (6, 6): distance √8 ≈ 2.83.
    expect(pointingGameHit(miss, { tolerancePx: 3 })).toBe(true);
    // Any of several polygons counts.
    expect(pointingGameHit({ ...miss, polygons: [square, [[7, 7], [9, 7], [9, 9], [7, 9]]] })).toBe(true);
  });

  test('even-odd rule: the centre of a pentagram is outside', () => {
    const star: PixelPolygon = [0, 2, 4, 1, 3].map((k) => {
      const a = -Math.PI / 2 + (2 * Math.PI * k) / 5;
      return [50 + 40 * Math.cos(a), 50 + 40 * Math.sin(a)] as const;
    });
    expect(insidePolygon(star, 50, 50)).toBe(false);
    expect(insidePolygon(star, 50, 15)).toBe(true); // inside the top point
    expect(insidePolygon(star, 5, 5)).toBe(false);
  });

  test('hit rate over cancer images; normal images are not scored', () => {
    const cases = [
      { map: mapWithPeak(10, 10, [[3, 4, 0.9]]), width: 10, height: 10, polygons: [square] },
      { map: mapWithPeak(10, 10, [[5, 5, 0.8]]), width: 10, height: 10, polygons: [square] },
      { map: mapWithPeak(10, 10, [[9, 0, 0.9]]), width: 10, height: 10, polygons: [square] },
      { map: mapWithPeak(10, 10, [[4, 4, 0.9]]), width: 10, height: 10, polygons: [] },
    ];
    expect(pointingGameHitRate(cases)).toEqual({ scored: 3, hits: 2, hitRate: 2 / 3, skipped: 1 });
    expect(pointingGameHitRate([])).toEqual({ scored: 0, hits: 0, hitRate: null, skipped: 0 });
  });
});
