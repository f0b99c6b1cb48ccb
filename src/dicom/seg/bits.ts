/**
 * BINARY segmentation pixels: BitsAllocated 1, packed continuously across frames with no padding between frames
 * (PS3.5 8.1.1), the first pixel in the least significant bit of the first byte. Only the value's end is padded to an
 * even length (PS3.5 7.1.1).
 */

/** Packs masks (non-zero = inside) of `pixelsPerFrame` pixels each into one bit stream. */
export function packBits(masks: readonly Uint8Array[], pixelsPerFrame: number): Uint8Array {
  const totalBits = masks.length * pixelsPerFrame;
  const bytes = Math.ceil(totalBits / 8);
  const out = new Uint8Array(bytes + (bytes % 2));
  let bit = 0;
  for (const mask of masks) {
    if (mask.length !== pixelsPerFrame) throw new RangeError(`mask has ${mask.length} pixels, frames have ${pixelsPerFrame}`);
    for (let i = 0; i < pixelsPerFrame; i++, bit++) if (mask[i] !== 0) out[bit >> 3] |= 1 << (bit & 7);
  }
  return out;
}

/** One frame's pixels (0 or 1) out of a continuous bit stream. */
export function unpackBits(packed: Uint8Array, frameIndex: number, pixelsPerFrame: number): Uint8Array {
  const start = frameIndex * pixelsPerFrame;
  if (Math.ceil((start + pixelsPerFrame) / 8) > packed.length) throw new RangeError(`frame ${frameIndex + 1} lies beyond the ${packed.length} bytes of pixel data`);
  const out = new Uint8Array(pixelsPerFrame);
  for (let i = 0; i < pixelsPerFrame; i++) {
    const bit = start + i;
    out[i] = (packed[bit >> 3] >> (bit & 7)) & 1;
  }
  return out;
}
