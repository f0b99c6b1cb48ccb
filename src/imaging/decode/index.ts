/**
 * Pixel data decoding (see decode-frame.ts). Decoded: Implicit/Explicit VR LE, Deflated Explicit VR LE, Explicit VR BE,
 * RLE Lossless, JPEG Baseline and 8-bit Extended/progressive, JPEG Lossless (process 14, any predictor), JPEG-LS,
 * JPEG 2000 and HTJ2K. Refused with PixelDecodeError: 12-bit lossy JPEG, JPEG 2000 Part 2, JPIP, video, JPEG XL,
 * Deflated Image Frame Compression, BitsAllocated 32, RLE with BitsAllocated 1.
 */
export { decodeFile, decodeFrame, frameCount } from './decode-frame';
export { PixelDecodeError } from './errors';
export { describeTransferSyntax, transferSyntaxInfo } from './transfer-syntax';
export type { TransferSyntaxInfo, PixelCodec } from './transfer-syntax';
