/**
 * Association negotiation policy (PS3.8 7.1, 9.3.4): which associations we accept and, per presentation context,
 * which abstract and transfer syntax. Pure functions over plain values so they are unit-tested without a socket.
 */
import { constants } from 'dcmjs-dimse';
import { SopClass } from '../../dicom/uids';


/** Storage SOP classes beyond dcmjs-dimse's list that an AI node must receive (PS3.4 Annex B.5). */
const EXTRA_STORAGE_CLASSES = [
  '1.2.840.10008.5.1.4.1.1.66.4', // Segmentation Storage
  '1.2.840.10008.5.1.4.1.1.88.34', // Comprehensive 3D SR Storage
  '1.2.840.10008.5.1.4.1.1.88.35', // Extensible SR Storage
  '1.2.840.10008.5.1.4.1.1.88.59', // Key Object Selection Document Storage
  '1.2.840.10008.5.1.4.1.1.88.68', // Radiopharmaceutical Radiation Dose SR Storage
  '1.2.840.10008.5.1.4.1.1.88.69', // Colon CAD SR Storage
  '1.2.840.10008.5.1.4.1.1.88.71', // Acquisition Context SR Storage
  '1.2.840.10008.5.1.4.1.1.88.73', // Patient Radiation Dose SR Storage
];

export const STORAGE_SOP_CLASSES: ReadonlySet<string> = new Set([
  ...Object.values(constants.StorageClass as Record<string, string>),
  ...EXTRA_STORAGE_CLASSES,
]);

/** Stored as received: no transcoding, so every common syntax is accepted (PS3.5 Section 10 and Annex A). */
export const STORAGE_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set([
  '1.2.840.10008.1.2', // Implicit VR Little Endian
  '1.2.840.10008.1.2.1', // Explicit VR Little Endian
  '1.2.840.10008.1.2.1.99', // Deflated Explicit VR Little Endian
  '1.2.840.10008.1.2.2', // Explicit VR Big Endian (retired, still sent by old modalities)
  '1.2.840.10008.1.2.4.50', // JPEG Baseline (Process 1)
  '1.2.840.10008.1.2.4.51', // JPEG Extended (Process 2 & 4)
  '1.2.840.10008.1.2.4.57', // JPEG Lossless (Process 14)
  '1.2.840.10008.1.2.4.70', // JPEG Lossless SV1 (Process 14, selection value 1)
  '1.2.840.10008.1.2.4.80', // JPEG-LS Lossless
  '1.2.840.10008.1.2.4.81', // JPEG-LS Near-Lossless
  '1.2.840.10008.1.2.4.90', // JPEG 2000 Lossless
  '1.2.840.10008.1.2.4.91', // JPEG 2000
  '1.2.840.10008.1.2.5', // RLE Lossless
]);

/** PS3.5 A.1: Verification needs no data set, so only the default and explicit little endian are offered. */
const VERIFICATION_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);

export type ContextDecision =
  | { accept: true; transferSyntaxUid: string }
  | { accept: false; reason: 'abstract-syntax-not-supported' | 'transfer-syntaxes-not-supported' };

/** The first proposed transfer syntax we support: the requestor lists them in its order of preference. */
export function negotiateContext(abstractSyntaxUid: string, proposedTransferSyntaxes: readonly string[]): ContextDecision {
  const supported =
    abstractSyntaxUid === SopClass.Verification
      ? VERIFICATION_TRANSFER_SYNTAXES
      : STORAGE_SOP_CLASSES.has(abstractSyntaxUid)
        ? STORAGE_TRANSFER_SYNTAXES
        : null;
  if (!supported) return { accept: false, reason: 'abstract-syntax-not-supported' };
  const chosen = proposedTransferSyntaxes.find((ts) => supported.has(ts));
  return chosen ? { accept: true, transferSyntaxUid: chosen } : { accept: false, reason: 'transfer-syntaxes-not-supported' };
}

export interface AssociationRequestFacts {
  callingAet: string;
  calledAet: string;
  activeAssociations: number;
  freeDiskMb: number;
}

export interface AssociationPolicy {
  aet: string;
  /** Empty: any calling AE. */
  allowedCallingAets: readonly string[];
  maxAssociations: number;
  minFreeDiskMb: number;
}

export type AssociationDecision =
  | { accept: true }
  | {
      accept: false;
      why: 'calling-ae-not-allowed' | 'called-ae-not-ours' | 'too-many-associations' | 'low-disk';
      /** PS3.8 Table 9-21 result/source/reason. */
      result: number;
      source: number;
      reason: number;
    };

/** AE titles: leading and trailing spaces are not significant (PS3.5 6.2, AE). */
const sameAet = (a: string, b: string): boolean => a.trim() === b.trim();

export function decideAssociation(facts: AssociationRequestFacts, policy: AssociationPolicy): AssociationDecision {
  const { RejectResult, RejectSource, RejectReason } = constants;
  if (!sameAet(facts.calledAet, policy.aet)) {
    return { accept: false, why: 'called-ae-not-ours', result: RejectResult.Permanent, source: RejectSource.ServiceUser, reason: RejectReason.CalledAeNotRecognized };
  }
  if (policy.allowedCallingAets.length > 0 && !policy.allowedCallingAets.some((aet) => sameAet(aet, facts.callingAet))) {
    return { accept: false, why: 'calling-ae-not-allowed', result: RejectResult.Permanent, source: RejectSource.ServiceUser, reason: RejectReason.CallingAeNotRecognized };
  }
  // Transient rejections: the sender should retry later (PS3.8 9.3.4, source 3 = presentation service provider).
  if (facts.activeAssociations >= policy.maxAssociations) {
    return { accept: false, why: 'too-many-associations', result: RejectResult.Transient, source: RejectSource.ServiceProviderPresentation, reason: RejectReason.LocalLimitExceeded };
  }
  if (facts.freeDiskMb < policy.minFreeDiskMb) {
    return { accept: false, why: 'low-disk', result: RejectResult.Transient, source: RejectSource.ServiceProviderPresentation, reason: RejectReason.TemporaryCongestion };
  }
  return { accept: true };
}
