import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { decode as jpegDecode } from 'jpeg-js';
import { encodeJpegBaseline422 } from '../../src/imaging/jpeg-baseline-encoder';

/** Smooth-but-textured synthetic RGB image: gradients, sine textures, mild seeded noise and soft-edged discs. */
function synthImage(width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  const discs: ReadonlyArray<readonly [number, number, number, readonly [number, number, number]]> = [
    [0.3, 0.4, 0.12, [200, 90, 80]],
    [0.7, 0.6, 0.18, [230, 170, 150]],
    [0.5, 0.2, 0.08, [120, 40, 50]],
  ];
  const s = Math.min(width, height);
  let seed = 12345;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const v = y / height;
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; // LCG: deterministic noise
      const noise = ((seed >>> 24) / 255 - 0.5) * 8;
      const tex = 10 * Math.sin(x * 0.45) * Math.sin(y * 0.37) + 12 * Math.sin(x * 0.21) * Math.sin(y * 0.17) +
        6 * Math.sin((x + y) * 0.05) + noise;
      let r = 60 + 140 * u + tex;
      let g = 40 + 90 * v + tex;
      let b = 50 + 60 * (1 - u) * v + tex * 0.5;
      for (const [cx, cy, rad, col] of discs) {
        const d = Math.hypot(x - cx * width, y - cy * height) - rad * s;
        const a = Math.min(1, Math.max(0, 0.5 - d / 3)); // ~3 px soft edge
        r = r * (1 - a) + col[0] * a;
        g = g * (1 - a) + col[1] * a;
        b = b * (1 - a) + col[2] * a;
      }
      const p = (y * width + x) * 3;
      rgb[p] = Math.max(0, Math.min(255, Math.round(r)));
      rgb[p + 1] = Math.max(0, Math.min(255, Math.round(g)));
      rgb[p + 2] = Math.max(0, Math.min(255, Math.round(b)));
    }
  }
  return rgb;
}

function psnr(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let se = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    se += d * d;
  }
  const mse = se / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

function decode(buf: Uint8Array): { width: number; height: number; data: Uint8Array } {
  return jpegDecode(buf, { useTArray: true, formatAsRGBA: false });
}

/** Lists marker segments up to SOS: [marker, offset of segment payload (after length), payload length]. */
function markers(buf: Uint8Array): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  expect(buf[0]).toBe(0xff);
  expect(buf[1]).toBe(0xd8);
  let p = 2;
  while (p + 4 <= buf.length) {
    expect(buf[p]).toBe(0xff);
    const m = buf[p + 1];
    const len = (buf[p + 2] << 8) | buf[p + 3];
    out.push([m, p + 4, len - 2]);
    if (m === 0xda) break;
    p += 2 + len;
  }
  return out;
}

describe('encodeJpegBaseline422', () => {
  const W = 640;
  const H = 480;
  const img = synthImage(W, H);

  it.each([
    [90, 30],
    [95, 36],
  ])('round-trips a 640x480 image through jpeg-js at quality %i with PSNR >= %i dB', (quality, minPsnr) => {
    const jpg = encodeJpegBaseline422(img, W, H, quality);
    const dec = decode(jpg);
    expect(dec.width).toBe(W);
    expect(dec.height).toBe(H);
    expect(psnr(img, dec.data)).toBeGreaterThanOrEqual(minPsnr);
  });

  it('trades size for fidelity monotonically with quality', () => {
    const results = [30, 60, 90].map((q) => {
      const jpg = encodeJpegBaseline422(img, W, H, q);
      return { size: jpg.length, psnr: psnr(img, decode(jpg).data) };
    });
    expect(results[0].size).toBeLessThan(results[1].size);
    expect(results[1].size).toBeLessThan(results[2].size);
    expect(results[0].psnr).toBeLessThan(results[1].psnr);
    expect(results[1].psnr).toBeLessThan(results[2].psnr);
  });

  it('writes SOF0 with 4:2:2 sampling (0x21, 0x11, 0x11), no APP0, and ends with EOI', () => {
    const jpg = encodeJpegBaseline422(img, W, H);
    const segs = markers(jpg);
    const ids = segs.map(([m]) => m);
    expect(ids).not.toContain(0xe0);
    expect(ids.filter((m) => m >= 0xe0 && m <= 0xef)).toEqual([]);
    expect(ids).toEqual([0xdb, 0xc0, 0xc4, 0xda]);
    const [, off, len] = segs[1];
    expect(len).toBe(15);
    expect(jpg[off]).toBe(8); // sample precision
    expect((jpg[off + 1] << 8) | jpg[off + 2]).toBe(H);
    expect((jpg[off + 3] << 8) | jpg[off + 4]).toBe(W);
    expect(jpg[off + 5]).toBe(3);
    const comps = [0, 1, 2].map((i) => Array.from(jpg.subarray(off + 6 + 3 * i, off + 9 + 3 * i)));
    expect(comps).toEqual([
      [1, 0x21, 0],
      [2, 0x11, 1],
      [3, 0x11, 1],
    ]);
    expect(jpg[jpg.length - 2]).toBe(0xff);
    expect(jpg[jpg.length - 1]).toBe(0xd9);
  });

  // 3x100 squeezes the discs into 3 px columns: sharp chroma edges that 4:2:2 cannot keep, hence the lower bar.
  it.each([
    [37, 21, 32],
    [1, 1, 32],
    [17, 9, 32],
    [15, 7, 32],
    [3, 100, 25],
  ])('round-trips odd size %ix%i (PSNR >= %i dB)', (w, h, minPsnr) => {
    const src = synthImage(w, h);
    const dec = decode(encodeJpegBaseline422(src, w, h, 95));
    expect(dec.width).toBe(w);
    expect(dec.height).toBe(h);
    expect(psnr(src, dec.data)).toBeGreaterThanOrEqual(minPsnr);
  });

  it('decodes flat colours exactly enough across qualities 1..100', () => {
    const w = 24;
    const h = 10;
    const src = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) src.set([180, 60, 30], i * 3);
    for (const q of [1, 10, 50, 100]) {
      const dec = decode(encodeJpegBaseline422(src, w, h, q));
      expect(psnr(src, dec.data)).toBeGreaterThanOrEqual(q === 1 ? 20 : 35);
    }
  });

  it('is deterministic', () => {
    const a = encodeJpegBaseline422(img, W, H, 85);
    const b = encodeJpegBaseline422(new Uint8Array(img), W, H, 85);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('rejects bad arguments with RangeError', () => {
    const px = new Uint8Array(12);
    expect(() => encodeJpegBaseline422(px, 2, 3)).toThrow(RangeError); // wrong length
    expect(() => encodeJpegBaseline422(px, 0, 4)).toThrow(RangeError);
    expect(() => encodeJpegBaseline422(px, 4, 0)).toThrow(RangeError);
    expect(() => encodeJpegBaseline422(px, 2.5, 2)).toThrow(RangeError);
    expect(() => encodeJpegBaseline422(new Uint8Array(65536 * 3), 65536, 1)).toThrow(RangeError);
    expect(() => encodeJpegBaseline422(px, 2, 2, 0)).toThrow(RangeError);
    expect(() => encodeJpegBaseline422(px, 2, 2, 101)).toThrow(RangeError);
    expect(() => encodeJpegBaseline422(px, 2, 2, Number.NaN)).toThrow(RangeError);
    expect(() => encodeJpegBaseline422(px, 2, 2, 100)).not.toThrow();
  });

  const dcmtk = existsSync('/usr/bin/img2dcm') && existsSync('/usr/bin/dcmdjpeg');
  (dcmtk ? it : it.skip)('is wrapped by DCMTK img2dcm as JPEG Baseline YBR_FULL_422 and decoded by its libjpeg', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jpeg422-'));
    try {
      const jpgPath = join(dir, 'in.jpg');
      writeFileSync(jpgPath, encodeJpegBaseline422(img, W, H, 90));
      execFileSync('/usr/bin/img2dcm', ['-i', 'JPEG', jpgPath, join(dir, 'enc.dcm')], { stdio: 'pipe' });
      const dump = execFileSync('/usr/bin/dcmdump', ['-Un', join(dir, 'enc.dcm')], { encoding: 'utf8' });
      expect(dump).toMatch(/\(0002,0010\) UI \[1\.2\.840\.10008\.1\.2\.4\.50\]/);
      expect(dump).toMatch(/\(0028,0004\) CS \[YBR_FULL_422\]/);
      execFileSync('/usr/bin/dcmdjpeg', [join(dir, 'enc.dcm'), join(dir, 'dec.dcm')], { stdio: 'pipe' });
      expect(existsSync(join(dir, 'dec.dcm'))).toBe(true);
      if (existsSync('/usr/bin/dcmj2pnm')) {
        execFileSync('/usr/bin/dcmj2pnm', ['+op', join(dir, 'enc.dcm'), join(dir, 'out.ppm')], { stdio: 'pipe' });
        const ppm = readFileSync(join(dir, 'out.ppm'));
        const header = ppm.subarray(0, 32).toString('latin1').match(/^P6\s+(\d+)\s+(\d+)\s+255\s/);
        expect(header).not.toBeNull();
        expect([Number(header![1]), Number(header![2])]).toEqual([W, H]);
        expect(psnr(img, ppm.subarray(header![0].length))).toBeGreaterThanOrEqual(30);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
