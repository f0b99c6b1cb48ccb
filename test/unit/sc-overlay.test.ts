/** SC overlay drawing: the 5x7 caption font, heat blending, caption band, enlargement. */
import { blankRaster } from '../../src/raster/png';
import { drawText, GLYPH_HEIGHT, textWidth } from '../../src/dicom/sc/font';
import { blendHeat, burnCaption, enlargeToWidth } from '../../src/dicom/sc/overlay';

const at = (r: { width: number; rgb: Uint8Array }, x: number, y: number) => Array.from(r.rgb.subarray((y * r.width + x) * 3, (y * r.width + x) * 3 + 3));
const litPixels = (r: { rgb: Uint8Array }) => {
  let n = 0;
  for (let i = 0; i < r.rgb.length; i += 3) if (r.rgb[i] || r.rgb[i + 1] || r.rgb[i + 2]) n++;
  return n;
};

describe('5x7 font', () => {
  test('"I" is a centred vertical bar with serifs; lower case draws as upper case', () => {
    const r = blankRaster(5, 7);
    drawText(r, 'I', 0, 0, 1, [255, 255, 255]);
    const rows = Array.from({ length: 7 }, (_, y) => Array.from({ length: 5 }, (_, x) => (at(r, x, y)[0] ? '#' : '.')).join(''));
    expect(rows).toEqual(['.###.', '..#..', '..#..', '..#..', '..#..', '..#..', '.###.']);
    const lower = blankRaster(5, 7);
    drawText(lower, 'i', 0, 0, 1, [255, 255, 255]);
    expect(lower.rgb).toEqual(r.rgb);
  });

  test('scale multiplies every font pixel; width counts one blank column between glyphs', () => {
    expect(textWidth('AB', 1)).toBe(11);
    expect(textWidth('AB', 3)).toBe(33);
    const one = blankRaster(20, 10);
    const three = blankRaster(60, 30);
    drawText(one, 'P=0.91', 0, 0, 1, [1, 1, 1]);
    drawText(three, 'P=0.91', 0, 0, 3, [1, 1, 1]);
    expect(litPixels(three)).toBe(9 * litPixels(one));
  });

  test('unknown characters draw as "?" and text is clipped at the raster edge', () => {
    const a = blankRaster(6, 7);
    const b = blankRaster(6, 7);
    drawText(a, '\u00e9', 0, 0, 1, [9, 9, 9]);
    drawText(b, '?', 0, 0, 1, [9, 9, 9]);
    expect(a.rgb).toEqual(b.rgb);
    expect(() => drawText(blankRaster(3, 3), 'WIDE TEXT', -2, -2, 2, [1, 1, 1])).not.toThrow();
  });
});

test('heat: nothing below the threshold, red at it, yellow at 1, blended with the image', () => {
  const r = blankRaster(3, 1, 100);
  blendHeat(r, Float32Array.from([0.49, 0.5, 1]), { threshold: 0.5, opacity: 0.5 });
  expect([at(r, 0, 0), at(r, 1, 0), at(r, 2, 0)]).toEqual([
    [100, 100, 100],
    [178, 50, 50],
    [178, 178, 50],
  ]);
  expect(() => blendHeat(r, new Float32Array(2), { threshold: 0.5, opacity: 0.5 })).toThrow(/2 values/);
});

describe('caption band', () => {
  test('a black band along the bottom with the caption in it, the rest untouched', () => {
    const r = blankRaster(640, 480, 128);
    const band = burnCaption(r, 'No suspicious finding - AI result - not for clinical use');
    expect(band.top + band.height).toBe(480);
    expect(band.height).toBeGreaterThanOrEqual(GLYPH_HEIGHT);
    expect(at(r, 0, band.top - 1)).toEqual([128, 128, 128]);
    expect(at(r, 0, band.top)).toEqual([0, 0, 0]);
    let white = 0;
    for (let y = band.top; y < 480; y++) for (let x = 0; x < 640; x++) if (at(r, x, y)[0] === 255) white++;
    expect(white).toBeGreaterThan(100);
  });

  test('a caption too long for one line at scale 1 wraps instead of being cut', () => {
    const narrow = blankRaster(100, 200);
    const wide = blankRaster(1000, 200);
    const caption = 'Malignant tumour of stomach p=0.91 stage III - AI result - not for clinical use';
    // 79 characters at 6 px need 473 px: 100 px wraps onto 5+ lines, 1000 px holds one line at scale 2.
    expect(burnCaption(narrow, caption).height).toBeGreaterThan(4 * (GLYPH_HEIGHT + 3));
    expect(burnCaption(wide, caption).height).toBe(2 * (GLYPH_HEIGHT + 3) + 8);
  });
});

test('enlargeToWidth: whole-factor nearest-neighbour for small images, unchanged for large ones', () => {
  const small = blankRaster(2, 1);
  small.rgb.set([10, 20, 30, 40, 50, 60]);
  const big = enlargeToWidth(small, 7);
  expect([big.width, big.height]).toEqual([8, 4]);
  expect(at(big, 3, 3)).toEqual([10, 20, 30]);
  expect(at(big, 4, 0)).toEqual([40, 50, 60]);
  const large = blankRaster(640, 480);
  expect(enlargeToWidth(large, 480)).toBe(large);
});
