/** JPEG-LS (PS3.5 A.4.3, ITU-T T.87) through CharLS. */
import type { CodecPixels } from './jpeg';
import { CodecError, runCodec } from './wasm-codecs';
import { eoiPosition } from './jpeg-markers';
import { planarToInterleaved } from './colour';

export async function decodeJpegLs(frame: Uint8Array): Promise<CodecPixels> {
  // CharLS (wasm build) needs 6-8 s to give up on a stream cut short (measured on a 512x512 CT cut to 60 %), so a
  // stream without its EOI marker (T.87 requires one) is refused before CharLS sees it.
  if (eoiPosition(frame) < 0) throw new CodecError('JPEG-LS stream does not end with an EOI marker (truncated data)');
  const out = await runCodec('charls', frame);
  const { width, height, bitsPerSample, componentCount } = out.info;
  const count = width * height * componentCount;
  let cells: Uint8Array | Uint16Array = bitsPerSample > 8 ? new Uint16Array(out.bytes.buffer, 0, count) : out.bytes.subarray(0, count);
  // Interleave mode "none" (T.87 §A.1.1) decodes component after component.
  if (componentCount === 3 && out.interleaveMode === 0) cells = planarToInterleaved(cells, width * height);
  return { rows: height, columns: width, components: componentCount, cells, colourConverted: false };
}
