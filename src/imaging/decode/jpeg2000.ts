/**
 * JPEG 2000 and HTJ2K (PS3.5 A.4.4, A.4.6; ITU-T T.800, T.814) through OpenJPEG. OpenJPEG applies the codestream's
 * multiple component transform itself, so YBR_RCT / YBR_ICT come out as RGB (PS3.5 A.4.4.2).
 */
import type { CodecPixels } from './jpeg';
import { CodecError, runCodec } from './wasm-codecs';

export async function decodeJpeg2000(frame: Uint8Array): Promise<CodecPixels> {
  const out = await runCodec('openjpeg', frame);
  const { width, height, bitsPerSample, componentCount } = out.info;
  // OpenJPEG does not throw: on failure it prints "[ERROR] …" and returns an empty image. A stream cut short inside
  // its last tile-part decodes "successfully" with only a warning (quality layers are progressive), so warnings
  // about a short or unterminated stream count as failures too: we never hand on a silently truncated image.
  const errors = out.messages.filter((m) => m.includes('[ERROR]') || /too short|truncat|does not end with EOC/i.test(m));
  if (errors.length > 0 || width === 0 || height === 0) {
    throw new CodecError(`OpenJPEG: ${errors.map((m) => m.replace(/^\[(ERROR|WARNING)\] /, '').trim()).join('; ') || 'decoded an empty image'}`);
  }
  const count = width * height * componentCount;
  const cells = bitsPerSample > 8 ? new Uint16Array(out.bytes.buffer, 0, count) : out.bytes.subarray(0, count);
  if (cells.length < count) throw new CodecError(`OpenJPEG returned ${cells.length} of ${count} samples`);
  return { rows: height, columns: width, components: componentCount, cells, colourConverted: usesMct(frame) };
}

/** Whether the main header's COD segment (T.800 A.6.1) switches the multiple component transform on. */
export function usesMct(frame: Uint8Array): boolean {
  // Find SOC+SIZ (a JP2 file wraps the codestream in boxes), then walk the main header's marker segments.
  let i = 0;
  const searchEnd = Math.min(frame.byteLength - 4, 4096);
  while (i < searchEnd && !(frame[i] === 0xff && frame[i + 1] === 0x4f && frame[i + 2] === 0xff && frame[i + 3] === 0x51)) i++;
  if (i >= searchEnd) return false;
  i += 2;
  while (i + 9 <= frame.byteLength && frame[i] === 0xff) {
    const marker = frame[i + 1];
    if (marker === 0x52) return frame[i + 8] === 1; // COD: Lcod(2) Scod(1) order(1) layers(2) MCT(1)
    if (marker === 0x90) return false; // SOT: main header over
    i += 2 + ((frame[i + 2] << 8) | frame[i + 3]);
  }
  return false;
}
