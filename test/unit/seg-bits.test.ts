/** BINARY SEG bit packing (PS3.5 8.1.1): continuous across frames, first pixel in the lowest bit, even length. */
import { packBits, unpackBits } from '../../src/dicom/seg/bits';

describe('packBits / unpackBits', () => {
  test('first pixel goes to the least significant bit', () => {
    const packed = packBits([Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 1])], 10);
    expect(Array.from(packed)).toEqual([0b00000001, 0b00000010]);
  });

  test('frames are packed without padding between them, and only the value end is padded to even length', () => {
    // 3 frames of 5 pixels = 15 bits: frame 2 starts at bit 5 of byte 0, frame 3 at bit 2 of byte 1.
    const frames = [Uint8Array.from([1, 1, 0, 0, 1]), Uint8Array.from([0, 1, 1, 0, 0]), Uint8Array.from([1, 0, 0, 0, 1])];
    const packed = packBits(frames, 5);
    expect(packed.length).toBe(2);
    expect(Array.from(packed)).toEqual([0b11010011, 0b01000100]);
    frames.forEach((f, i) => expect(Array.from(unpackBits(packed, i, 5))).toEqual(Array.from(f)));
  });

  test.each([
    [7, 5, 3],
    [13, 11, 4],
    [8, 8, 2],
    [1, 1, 9],
  ])('round trip of %ix%i frames x%i (any non-zero value counts as inside)', (w, h, n) => {
    const frames = Array.from({ length: n }, (_, f) => Uint8Array.from({ length: w * h }, (_, i) => ((i * 7 + f * 3) % 5 === 0 ? 200 : 0)));
    const packed = packBits(frames, w * h);
    expect(packed.length % 2).toBe(0);
    expect(packed.length).toBe(Math.ceil((w * h * n) / 8) + (Math.ceil((w * h * n) / 8) % 2));
    frames.forEach((f, i) => expect(Array.from(unpackBits(packed, i, w * h))).toEqual(Array.from(f, (v) => (v ? 1 : 0))));
  });

  test('refuses masks of the wrong size and frames beyond the data', () => {
    expect(() => packBits([new Uint8Array(4)], 5)).toThrow(/4 pixels/);
    expect(() => unpackBits(new Uint8Array(2), 2, 8)).toThrow(/beyond/);
  });
});
