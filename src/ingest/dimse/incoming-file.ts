/**
 * The Writable that dcmjs-dimse fills with one C-STORE data set (Scp.createStoreWritableStream): it streams the
 * bytes into a spool incoming/ file after a Part 10 meta header, keeps only the first bytes in memory for header
 * parsing, and never emits 'error' (dcmjs-dimse does not listen for it: an I/O error is recorded and reported when
 * the data set is complete, so the association can answer with a failure status instead of crashing).
 */
import * as fs from 'fs';
import { Writable } from 'stream';

export interface FlowControl {
  pause(): void;
  resume(): void;
}

export interface IncomingFileOptions {
  /** null: read the data set off the wire but store nothing (the instance is being refused). */
  path: string | null;
  /** Part 10 preamble + file meta, written before the data set bytes. */
  meta: Buffer;
  /** How many leading bytes of the file (meta included) to keep in memory for header parsing. */
  prefixLimit: number;
  /** Pauses the socket while the disk is behind (dcmjs-dimse does not apply backpressure itself). */
  flow?: FlowControl;
}

export interface IncomingFileResult {
  path: string;
  /** File size: meta header + data set. */
  sizeBytes: number;
  datasetBytes: number;
  prefix: Buffer;
  /** The first write error (e.g. ENOSPC), if any: the file is then incomplete. */
  writeError: NodeJS.ErrnoException | null;
}

const HIGH_WATER_MARK = 1 << 20;

export class IncomingInstanceFile extends Writable {
  readonly path: string;
  private readonly fd: number;
  private readonly prefixChunks: Buffer[] = [];
  private prefixLength = 0;
  private readonly prefixLimit: number;
  private readonly flow: FlowControl | undefined;
  private sizeBytes = 0;
  private datasetBytes = 0;
  private writeError: NodeJS.ErrnoException | null = null;
  private writing = false;
  private paused = false;
  private discarded = false;
  private fdClosed = false;
  private readonly done: Promise<IncomingFileResult>;

  constructor(options: IncomingFileOptions) {
    super({ highWaterMark: HIGH_WATER_MARK });
    this.path = options.path ?? '';
    this.prefixLimit = options.prefixLimit;
    this.flow = options.flow;
    this.on('error', () => undefined);
    this.done = new Promise((resolve) => {
      this.once('finish', () => resolve(this.result()));
    });
    if (options.path === null) {
      this.fd = -1;
      this.discarded = true;
      this.fdClosed = true;
      return;
    }
    // Opened synchronously so a discard can never race an asynchronous open and leave a file behind.
    this.fd = fs.openSync(options.path, 'wx');
    try {
      fs.writeSync(this.fd, options.meta);
    } catch (err) {
      fs.closeSync(this.fd);
      fs.rmSync(options.path, { force: true });
      throw err;
    }
    this.sizeBytes = options.meta.length;
    this.capture(options.meta);
  }

  /** Resolves when the data set is complete and the file closed (after the stream was ended). */
  completed(): Promise<IncomingFileResult> {
    return this.done;
  }

  get isFinished(): boolean {
    return this.writableFinished;
  }

  /** Drops the file (aborted association, failed instance): closes it once no write is in flight, then removes it. */
  discard(): void {
    if (this.discarded) return;
    this.discarded = true;
    this.resumeFlow();
    if (!this.writing) this.closeAndRemove();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.datasetBytes += chunk.length;
    if (this.discarded || this.writeError) {
      callback();
      return;
    }
    this.capture(chunk);
    this.writing = true;
    if (this.flow && !this.paused && this.writableLength >= 4 * HIGH_WATER_MARK) {
      this.paused = true;
      this.flow.pause();
    }
    this.writeAll(chunk, 0, (err) => {
      this.writing = false;
      if (err) this.writeError = err;
      else this.sizeBytes += chunk.length;
      if (this.discarded) this.closeAndRemove();
      if (this.writableLength <= HIGH_WATER_MARK) this.resumeFlow();
      callback();
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.resumeFlow();
    if (this.discarded) {
      callback();
      return;
    }
    this.fdClosed = true;
    fs.close(this.fd, (err) => {
      if (err && !this.writeError) this.writeError = err;
      callback();
    });
  }

  private writeAll(chunk: Buffer, offset: number, callback: (err: NodeJS.ErrnoException | null) => void): void {
    fs.write(this.fd, chunk, offset, chunk.length - offset, null, (err, written) => {
      if (err) callback(err);
      else if (offset + written < chunk.length) this.writeAll(chunk, offset + written, callback);
      else callback(null);
    });
  }

  private capture(chunk: Buffer): void {
    if (this.prefixLength >= this.prefixLimit) return;
    const part = chunk.subarray(0, this.prefixLimit - this.prefixLength);
    this.prefixChunks.push(Buffer.from(part));
    this.prefixLength += part.length;
  }

  private resumeFlow(): void {
    if (!this.paused) return;
    this.paused = false;
    this.flow?.resume();
  }

  private closeAndRemove(): void {
    if (!this.fdClosed) {
      this.fdClosed = true;
      try {
        fs.closeSync(this.fd);
      } catch {
        // Already closed by _final: nothing to release.
      }
    }
    if (this.path) fs.rmSync(this.path, { force: true });
  }

  private result(): IncomingFileResult {
    return {
      path: this.path,
      sizeBytes: this.sizeBytes,
      datasetBytes: this.datasetBytes,
      prefix: Buffer.concat(this.prefixChunks),
      writeError: this.writeError,
    };
  }
}
