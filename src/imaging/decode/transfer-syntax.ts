/**
 * Transfer syntaxes (PS3.5 §10 and Annex A; names as in PS3.6 Table A-1) and how each one's pixel data is decoded.
 * Anything not in this table is unknown; entries whose codec is 'unsupported' are known but cannot be decoded here.
 */

/** How a transfer syntax's pixel data is decoded. */
export type PixelCodec =
  | 'native' // PS3.5 §8.1: uncompressed, little endian (deflate is undone by the dataset reader)
  | 'native-big-endian' // PS3.5 A.3 (retired): uncompressed, OW words big endian
  | 'rle' // PS3.5 Annex G
  | 'jpeg' // PS3.5 A.4.1 (T.81 DCT and lossless processes, dispatched on the frame's SOF marker)
  | 'jpeg-ls' // PS3.5 A.4.3
  | 'jpeg-2000' // PS3.5 A.4.4 and A.4.6 (HTJ2K)
  | 'unsupported';

export interface TransferSyntaxInfo {
  readonly uid: string;
  readonly name: string;
  readonly codec: PixelCodec;
  /** Pixel data is a sequence of fragments (PS3.5 A.4), not one native value. */
  readonly encapsulated: boolean;
  readonly lossy: boolean;
  /** Why an 'unsupported' syntax cannot be decoded. */
  readonly unsupportedReason?: string;
}

const VIDEO = 'video transfer syntaxes are not decoded (extract frames with a video tool first)';

function ts(uid: string, name: string, codec: PixelCodec, encapsulated: boolean, lossy: boolean, unsupportedReason?: string): TransferSyntaxInfo {
  return { uid, name, codec, encapsulated, lossy, unsupportedReason };
}

const TABLE: readonly TransferSyntaxInfo[] = [
  ts('1.2.840.10008.1.2', 'Implicit VR Little Endian', 'native', false, false),
  ts('1.2.840.10008.1.2.1', 'Explicit VR Little Endian', 'native', false, false),
  ts('1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian', 'native', false, false),
  ts('1.2.840.10008.1.2.2', 'Explicit VR Big Endian', 'native-big-endian', false, false),
  ts('1.2.840.10008.1.2.5', 'RLE Lossless', 'rle', true, false),
  ts('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg', true, true),
  ts('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 and 4)', 'jpeg', true, true),
  // Retired DCT processes: libjpeg-turbo decodes their 8-bit form; 12-bit frames are refused by the JPEG decoder.
  ts('1.2.840.10008.1.2.4.53', 'JPEG Spectral Selection, Non-Hierarchical (Process 6 and 8)', 'jpeg', true, true),
  ts('1.2.840.10008.1.2.4.55', 'JPEG Full Progression, Non-Hierarchical (Process 10 and 12)', 'jpeg', true, true),
  ts('1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)', 'jpeg', true, false),
  ts('1.2.840.10008.1.2.4.70', 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])', 'jpeg', true, false),
  ts('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless Image Compression', 'jpeg-ls', true, false),
  ts('1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless) Image Compression', 'jpeg-ls', true, true),
  ts('1.2.840.10008.1.2.4.90', 'JPEG 2000 Image Compression (Lossless Only)', 'jpeg-2000', true, false),
  ts('1.2.840.10008.1.2.4.91', 'JPEG 2000 Image Compression', 'jpeg-2000', true, true),
  ts('1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 Image Compression (Lossless Only)', 'jpeg-2000', true, false),
  ts('1.2.840.10008.1.2.4.202', 'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)', 'jpeg-2000', true, false),
  ts('1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000 Image Compression', 'jpeg-2000', true, true),
  ts('1.2.840.10008.1.2.4.92', 'JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)', 'unsupported', true, false, 'JPEG 2000 Part 2 multi-component transforms are not supported'),
  ts('1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2 Multi-component Image Compression', 'unsupported', true, true, 'JPEG 2000 Part 2 multi-component transforms are not supported'),
  ts('1.2.840.10008.1.2.4.94', 'JPIP Referenced', 'unsupported', false, false, 'JPIP referenced pixel data lives on a JPIP server, not in the dataset'),
  ts('1.2.840.10008.1.2.4.95', 'JPIP Referenced Deflate', 'unsupported', false, false, 'JPIP referenced pixel data lives on a JPIP server, not in the dataset'),
  ts('1.2.840.10008.1.2.4.100', 'MPEG2 Main Profile / Main Level', 'unsupported', true, true, VIDEO),
  ts('1.2.840.10008.1.2.4.101', 'MPEG2 Main Profile / High Level', 'unsupported', true, true, VIDEO),
  ts('1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264 High Profile / Level 4.1', 'unsupported', true, true, VIDEO),
  ts('1.2.840.10008.1.2.4.103', 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1', 'unsupported', true, true, VIDEO),
  ts('1.2.840.10008.1.2.4.104', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video', 'unsupported', true, true, VIDEO),
  ts('1.2.840.10008.1.2.4.105', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video', 'unsupported', true, true, VIDEO),
  ts('1.2.840.10008.1.2.4.106', 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2', 'unsupported', true, true, VIDEO),
  ts('1.2.840.10008.1.2.4.107', 'HEVC/H.265 Main Profile / Level 5.1', 'unsupported', true, true, VIDEO),
  ts('1.2.840.10008.1.2.4.108', 'HEVC/H.265 Main 10 Profile / Level 5.1', 'unsupported', true, true, VIDEO),
  ts('1.2.840.10008.1.2.4.110', 'JPEG XL Lossless', 'unsupported', true, false, 'no JPEG XL codec is installed'),
  ts('1.2.840.10008.1.2.4.111', 'JPEG XL JPEG Recompression', 'unsupported', true, false, 'no JPEG XL codec is installed'),
  ts('1.2.840.10008.1.2.4.112', 'JPEG XL', 'unsupported', true, true, 'no JPEG XL codec is installed'),
  ts('1.2.840.10008.1.2.8.1', 'Deflated Image Frame Compression', 'unsupported', true, false, 'deflated image frames are not supported yet'),
];

const BY_UID: ReadonlyMap<string, TransferSyntaxInfo> = new Map(TABLE.map((t) => [t.uid, t]));

/** The table entry for a UID, or undefined when the UID is not a transfer syntax we know. */
export function transferSyntaxInfo(uid: string): TransferSyntaxInfo | undefined {
  return BY_UID.get(uid);
}

/** "Name (uid)" for messages; unknown UIDs read "Unknown transfer syntax (uid)". */
export function describeTransferSyntax(uid: string): string {
  const info = BY_UID.get(uid);
  return `${info ? info.name : 'Unknown transfer syntax'} (${uid || 'no UID'})`;
}
