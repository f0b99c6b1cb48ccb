/** The SOP Class and Transfer Syntax UIDs the node names in code (PS3.6 Annex A), in one place. */

export const SopClass = {
  Verification: '1.2.840.10008.1.1',
  SecondaryCaptureImage: '1.2.840.10008.5.1.4.1.1.7',
  Segmentation: '1.2.840.10008.5.1.4.1.1.66.4',
  ComprehensiveSr: '1.2.840.10008.5.1.4.1.1.88.33',
  VlEndoscopicImage: '1.2.840.10008.5.1.4.1.1.77.1.1',
  CtImage: '1.2.840.10008.5.1.4.1.1.2',
  PetImage: '1.2.840.10008.5.1.4.1.1.128',
} as const;

export const TransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
  RleLossless: '1.2.840.10008.1.2.5',
  JpegBaseline: '1.2.840.10008.1.2.4.50',
  JpegExtended: '1.2.840.10008.1.2.4.51',
  JpegProgressive: '1.2.840.10008.1.2.4.55',
  JpegLossless: '1.2.840.10008.1.2.4.57',
  JpegLosslessSv1: '1.2.840.10008.1.2.4.70',
  JpegLsLossless: '1.2.840.10008.1.2.4.80',
  Jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  Jpeg2000: '1.2.840.10008.1.2.4.91',
} as const;
