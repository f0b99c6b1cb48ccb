/**
 * The Cornerstone emscripten codecs (libjpeg-turbo 8-bit, CharLS, OpenJPEG), each loaded lazily once and reused.
 *
 * Each package exports a module factory (`<pkg>/decodewasmjs`, decode-only build). In Node the factory finds its .wasm
 * next to the script; we still pass locateFile from require.resolve so bundling or a changed cwd cannot break it.
 * Every factory gets its own options object: emscripten copies options onto the options object itself, so sharing one
 * would make the modules overwrite each other's exports. print/printErr are captured: OpenJPEG reports failures only
 * by printing "[ERROR] …" and returning an empty image, and that text is the best reason we can give.
 */
import * as path from 'path';

export interface CodecFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** The embind decoder classes share this shape (see the codecs' test/node examples). */
export interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): CodecFrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
  /** CharLS only: 0 none (planar output), 1 line, 2 sample interleaved. */
  getInterleaveMode?(): number;
}

interface WasmModule {
  getExceptionMessage?: (e: unknown) => [string, string] | string;
  [decoderClass: string]: unknown;
}

type ModuleFactory = (options: Record<string, unknown>) => Promise<WasmModule>;

export type CodecName = 'libjpeg-turbo' | 'charls' | 'openjpeg';

const PACKAGES: Record<CodecName, { pkg: string; decoderClass: string }> = {
  'libjpeg-turbo': { pkg: '@cornerstonejs/codec-libjpeg-turbo-8bit', decoderClass: 'JPEGDecoder' },
  charls: { pkg: '@cornerstonejs/codec-charls', decoderClass: 'JpegLSDecoder' },
  openjpeg: { pkg: '@cornerstonejs/codec-openjpeg', decoderClass: 'J2KDecoder' },
};

interface LoadedCodec {
  module: WasmModule;
  newDecoder: () => WasmDecoder;
  /** Lines printed by the module since the last reset. */
  log: string[];
}

const loading = new Map<CodecName, Promise<LoadedCodec>>();

async function load(name: CodecName): Promise<LoadedCodec> {
  const { pkg, decoderClass } = PACKAGES[name];
  // require: untyped CommonJS emscripten glue.
  const factory = require(`${pkg}/decodewasmjs`) as ModuleFactory;
  const wasmDir = path.dirname(require.resolve(`${pkg}/decodewasm`));
  const log: string[] = [];
  const module = await factory({
    locateFile: (file: string) => path.join(wasmDir, file),
    print: (line: string) => log.push(line),
    printErr: (line: string) => log.push(line),
  });
  const Ctor = module[decoderClass] as (new () => WasmDecoder) | undefined;
  if (typeof Ctor !== 'function') throw new Error(`${pkg} has no ${decoderClass}`);
  return { module, newDecoder: () => new Ctor(), log };
}

/** The codec, loaded on first use; a failed load is retried next time. */
export function codec(name: CodecName): Promise<LoadedCodec> {
  let p = loading.get(name);
  if (!p) {
    p = load(name);
    loading.set(name, p);
    p.catch(() => loading.delete(name));
  }
  return p;
}

export interface CodecOutput {
  info: CodecFrameInfo;
  /** Copy of the decoded bytes (the codec's buffer lives in wasm memory and dies with the decoder). */
  bytes: Uint8Array;
  interleaveMode?: number;
  /** Lines the codec printed while decoding, "[INFO]" lines dropped. */
  messages: string[];
}

/** Thrown when a codec rejects a frame; message is the codec's own reason where it gives one. */
export class CodecError extends Error {}

/** Runs one decode; synchronous inside wasm, so it cannot hang on the event loop. */
export async function runCodec(name: CodecName, encoded: Uint8Array): Promise<CodecOutput> {
  const c = await codec(name);
  c.log.length = 0;
  const decoder = c.newDecoder();
  try {
    decoder.getEncodedBuffer(encoded.byteLength).set(encoded);
    try {
      decoder.decode();
    } catch (e) {
      throw new CodecError(`${name}: ${exceptionText(c, e)}`);
    }
    const info = decoder.getFrameInfo();
    const messages = c.log.filter((l) => !l.startsWith('[INFO]'));
    const bytes = new Uint8Array(decoder.getDecodedBuffer()); // copy, and Uint8ClampedArray → Uint8Array
    const interleaveMode = decoder.getInterleaveMode?.();
    return { info: { ...info }, bytes, interleaveMode, messages };
  } finally {
    try {
      decoder.delete();
    } catch {
      // a decoder left inconsistent by a wasm exception may refuse delete(); nothing else to free
    }
  }
}

function exceptionText(c: LoadedCodec, e: unknown): string {
  if (typeof e === 'number') {
    // emscripten C++ exceptions arrive as pointers; only some builds export getExceptionMessage
    const m = c.module.getExceptionMessage?.(e);
    const text = Array.isArray(m) ? m.filter(Boolean).join(': ') : m;
    const printed = c.log.filter((l) => !l.startsWith('[INFO]')).join('; ');
    return text || printed || 'codec rejected the data (invalid or truncated stream)';
  }
  return e instanceof Error ? e.message : String(e);
}
