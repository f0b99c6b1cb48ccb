/** Augmentations on normalised HWC inputs: inverses, direction, masks that follow, colour jitter in pixel space. */
import { createRng } from '../../src/synth/rng';
import {
  augment,
  blackAfterNormalisation,
  colourJitter,
  DEFAULT_AUGMENT_POLICY,
  flipHorizontal,
  flipVertical,
  Normalisation,
  rotate,
  rotate90,
  Sample,
} from '../../src/training/dataset/augment';

const IMAGENET: Normalisation = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const FILL = blackAfterNormalisation(IMAGENET);

/** A random normalised image whose red channel marks the mask: +3 inside the square, −3 outside. */
function sample(size: number, seed = 1): Sample {
  const rng = createRng(seed);
  const image = new Float32Array(size * size * 3);
  const mask = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const o = y * size + x;
      mask[o] = x >= 2 && x < size / 2 && y >= 1 && y < size / 3 + 2 ? 1 : 0;
      image[3 * o] = mask[o] ? 3 : -3;
      image[3 * o + 1] = rng.uniform(-2, 2);
      image[3 * o + 2] = rng.uniform(-2, 2);
    }
  }
  return { image, size, mask };
}

/** Fraction of pixels whose red channel says "inside" exactly where the mask says so. */
function agreement(s: Sample, ignoreBorder = 0): number {
  let same = 0;
  let total = 0;
  for (let y = ignoreBorder; y < s.size - ignoreBorder; y++) {
    for (let x = ignoreBorder; x < s.size - ignoreBorder; x++) {
      const o = y * s.size + x;
      total++;
      if (s.image[3 * o] > 0 === (s.mask![o] === 1)) same++;
    }
  }
  return same / total;
}

describe.each([16, 15])('geometric augmentations, size %i', (size) => {
  const s = sample(size);

  test('flips twice and four quarter turns are the identity; flips and turns are not', () => {
    expect(flipHorizontal(flipHorizontal(s))).toEqual(s);
    expect(flipVertical(flipVertical(s))).toEqual(s);
    let turned = s;
    for (let i = 0; i < 4; i++) {
      turned = rotate90(turned, 1);
      if (i < 3) expect(turned.image).not.toEqual(s.image);
    }
    expect(turned).toEqual(s);
    expect(rotate90(rotate90(s, 3), -3)).toEqual(s);
    expect(rotate90(s, 2)).toEqual(flipVertical(flipHorizontal(s)));
  });

  test('each returns new arrays', () => {
    for (const out of [flipHorizontal(s), flipVertical(s), rotate90(s, 0), rotate(s, 0, FILL)]) {
      expect(out.image).not.toBe(s.image);
      expect(out.mask).not.toBe(s.mask);
    }
  });

  test('clockwise: a quarter turn moves the top-left pixel to the top-right; rotate(90°) agrees with rotate90', () => {
    const out = rotate90(s, 1);
    expect(out.image.slice(3 * (size - 1), 3 * size)).toEqual(s.image.slice(0, 3));
    const bilinear = rotate(s, 90, FILL);
    bilinear.image.forEach((v, i) => expect(v).toBeCloseTo(out.image[i], 4));
    expect(bilinear.mask).toEqual(out.mask);
    rotate(s, 0, FILL).image.forEach((v, i) => expect(v).toBeCloseTo(s.image[i], 6));
  });

  test('the mask follows the image', () => {
    for (const out of [flipHorizontal(s), flipVertical(s), rotate90(s, 1), rotate90(s, 3)]) {
      expect(agreement(out)).toBe(1);
      expect(out.mask!.reduce((a, b) => a + b, 0)).toBe(s.mask!.reduce((a, b) => a + b, 0));
    }
    // Bilinear image vs nearest-neighbour mask: they may differ only on the region's edge.
    expect(agreement(rotate(s, 12, FILL))).toBeGreaterThan(0.9);
  });

  test('uncovered corners take the fill', () => {
    const out = rotate(s, 45, FILL);
    expect(Array.from(out.image.slice(0, 3))).toEqual(FILL.map((v) => Math.fround(v)));
    expect(out.mask![0]).toBe(0);
  });
});

describe('colour jitter', () => {
  const { image } = sample(8);
  // Keep values inside the valid pixel range so the clamp does not hide anything.
  const valid = image.map((v, i) => ((Math.tanh(v) + 1) / 2 - IMAGENET.mean[i % 3]) / IMAGENET.std[i % 3]);
  const pixel = (img: Float32Array, i: number): number[] => [0, 1, 2].map((c) => img[3 * i + c] * IMAGENET.std[c] + IMAGENET.mean[c]);

  test('neutral factors change nothing', () => {
    const out = colourJitter(valid, { brightness: 1, contrast: 1, saturation: 1, hueDegrees: 0 }, IMAGENET);
    out.forEach((v, i) => expect(v).toBeCloseTo(valid[i], 4));
  });

  test('brightness scales pixel values, saturation 0 gives grey, hue keeps luma, results stay in [0, 1]', () => {
    const bright = colourJitter(valid, { brightness: 1.1, contrast: 1, saturation: 1, hueDegrees: 0 }, IMAGENET);
    const before = pixel(valid, 5);
    pixel(bright, 5).forEach((v, c) => expect(v).toBeCloseTo(Math.min(1, before[c] * 1.1), 4));
    const grey = pixel(colourJitter(valid, { brightness: 1, contrast: 1, saturation: 0, hueDegrees: 0 }, IMAGENET), 9);
    expect(grey[1]).toBeCloseTo(grey[0], 4);
    expect(grey[2]).toBeCloseTo(grey[0], 4);
    const luma = (p: number[]): number => 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
    const hued = colourJitter(valid, { brightness: 1, contrast: 1, saturation: 0.5, hueDegrees: 20 }, IMAGENET);
    const half = colourJitter(valid, { brightness: 1, contrast: 1, saturation: 0.5, hueDegrees: 0 }, IMAGENET);
    expect(luma(pixel(hued, 3))).toBeCloseTo(luma(pixel(half, 3)), 2);
    expect(pixel(hued, 3)).not.toEqual(pixel(half, 3));
    const strong = colourJitter(valid, { brightness: 3, contrast: 3, saturation: 3, hueDegrees: 90 }, IMAGENET);
    const values = Array.from({ length: 64 }, (_, i) => pixel(strong, i)).flat();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-1e-6);
    expect(Math.max(...values)).toBeLessThanOrEqual(1 + 1e-6);
  });
});

describe('augment', () => {
  const s = sample(16);

  test('same rng seed, same sample; the mask follows; a new array even when nothing is drawn', () => {
    const context = { policy: DEFAULT_AUGMENT_POLICY.ES, normalisation: IMAGENET };
    const a = augment(s, createRng(5), context);
    expect(augment(s, createRng(5), context)).toEqual(a);
    expect(augment(s, createRng(6), context)).not.toEqual(a);
    const geometric = { ...context, policy: { ...DEFAULT_AUGMENT_POLICY.ES, colour: null } };
    for (let seed = 0; seed < 10; seed++) expect(agreement(augment(s, createRng(seed), geometric))).toBeGreaterThan(0.85);
    const none = augment(s, createRng(1), { ...context, policy: { flipHorizontal: 0, flipVertical: 0, rotate90: false, maxDegrees: 0, colour: null } });
    expect(none).toEqual(s);
    expect(none.image).not.toBe(s.image);
  });

  test('CT and PET policies never flip or turn by quarters', () => {
    for (let seed = 0; seed < 20; seed++) {
      const out = augment(s, createRng(seed), { policy: DEFAULT_AUGMENT_POLICY.CT, normalisation: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } });
      expect(agreement(out, 3)).toBeGreaterThan(0.85);
      expect(out.mask![2 * 16 + 3]).toBe(1);
    }
  });
});
