import { gridPeakOnSource, parabolaOffset } from '../../src/imaging/geometry';
import { InputGeometry } from '../../src/imaging/types';

const geometry = (size: number): InputGeometry =>
  ({ sourceColumns: size, sourceRows: size, crop: { x: 0, y: 0, width: size, height: size }, size: 7 }) as unknown as InputGeometry;

describe('gridPeakOnSource', () => {
  it('finds a peak between cells: a Gaussian blob sampled on a 7 x 7 grid', () => {
    // Blob centred at grid coordinate (3.3, 2.8) → source (3.8/7*700, 3.3/7*700) = (380, 330) on a 700 px image.
    const values = new Float32Array(49);
    for (let r = 0; r < 7; r++) for (let c = 0; c < 7; c++) values[r * 7 + c] = -((c - 3.3) ** 2 + (r - 2.8) ** 2);
    const [x, y] = gridPeakOnSource(values, 7, 7, geometry(700));
    expect(Math.abs(x - 379.5)).toBeLessThan(3);
    expect(Math.abs(y - 329.5)).toBeLessThan(3);
  });

  it('stays at the cell centre for a symmetric peak and at the border cell without neighbours', () => {
    const values = new Float32Array(49).fill(0);
    values[3 * 7 + 3] = 1;
    expect(gridPeakOnSource(values, 7, 7, geometry(700))).toEqual([350, 350]);
    const edge = new Float32Array(49).fill(0);
    edge[0] = 1;
    expect(gridPeakOnSource(edge, 7, 7, geometry(700))).toEqual([50, 50]);
  });

  it('parabola offsets are bounded and zero on flat ties', () => {
    expect(parabolaOffset(1, 1, 1)).toBe(0);
    expect(parabolaOffset(0.9, 1, 0)).toBeLessThan(-0.3); // towards the higher neighbour
    expect(parabolaOffset(0, 1, 1)).toBe(0.5);
    expect(parabolaOffset(0, 1, 0)).toBe(-0);
  });
});
