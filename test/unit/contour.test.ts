/** Mask outlines for the SEG and SR: the traced contour is exactly the region's boundary pixels. */
import { largestRegion } from '../../src/imaging/contour';

function region(w: number, h: number, f: (x: number, y: number) => boolean) {
  const map = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) map[y * w + x] = f(x, y) ? 0.5 + 0.01 * x : 0;
  return { map, r: largestRegion(map, w, h, 0.25) };
}

function boundaryOf(mask: Uint8Array, w: number, h: number): Set<string> {
  const at = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < w && y < h && mask[y * w + x] === 1;
  const out = new Set<string>();
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (at(x, y) && (!at(x - 1, y) || !at(x + 1, y) || !at(x, y - 1) || !at(x, y + 1))) out.add(`${x},${y}`);
  return out;
}

test.each([
  ['disc', (x: number, y: number) => (x - 20) ** 2 + (y - 20) ** 2 < 100],
  ['L shape', (x: number, y: number) => (x > 3 && x < 10 && y > 3 && y < 25) || (x > 3 && x < 25 && y > 18 && y < 25)],
  ['U shape', (x: number, y: number) => x > 3 && x < 26 && y > 3 && y < 26 && !(x > 8 && x < 21 && y < 20)],
  ['star', (x: number, y: number) => Math.hypot(x - 20, y - 20) < 12 + 6 * Math.sin(5 * Math.atan2(y - 20, x - 20))],
])('%s: contour = boundary pixels, box and peak inside', (_name, f) => {
  const { r } = region(40, 40, f);
  expect(r).not.toBeNull();
  const got = new Set(r!.contour.map(([x, y]) => `${x},${y}`));
  expect(got).toEqual(boundaryOf(r!.mask, 40, 40));
  const [px, py] = r!.peak;
  expect(r!.mask[py * 40 + px]).toBe(1);
  expect(px).toBe(r!.box.x + r!.box.width - 1); // the map rises with x
});

test('only the largest region is kept; nothing above threshold gives null', () => {
  const { r } = region(30, 10, (x, y) => (x < 3 && y < 3) || (x > 10 && x < 20 && y > 2 && y < 8));
  expect(r!.area).toBe(9 * 5);
  expect(largestRegion(new Float32Array(100), 10, 10, 0.5)).toBeNull();
});
