/** The one error the pixel decoder throws: callers (ingest, jobs) treat it as "this instance's pixels are unusable". */
import { describeTransferSyntax } from './transfer-syntax';

export class PixelDecodeError extends Error {
  override readonly name = 'PixelDecodeError';
  /** Transfer syntax of the dataset ('' when the file meta had none). */
  readonly transferSyntaxUid: string;
  /** What went wrong, without the transfer syntax prefix. */
  readonly reason: string;

  constructor(transferSyntaxUid: string, reason: string, options?: { cause?: unknown }) {
    super(`${describeTransferSyntax(transferSyntaxUid)}: ${reason}`, options);
    this.transferSyntaxUid = transferSyntaxUid;
    this.reason = reason;
  }
}

/** Text of anything thrown (codecs throw strings, numbers and Errors). */
export function describeThrown(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
