/**
 * Association negotiation policy (PS3.8 7.1, 9.3.4): which associations we accept (registered peers, limits, free
 * disk) and, per presentation context, which abstract and transfer syntax. Pure functions over plain values so they
 * are unit-tested without a socket.
 */
import { constants } from 'dcmjs-dimse';
import { SopClass } from '../../dicom/uids';
import { checkPeerCertificate, sameAet, type DicomPeer, type PeerIdentity } from './peers';

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
  /** Who the calling AE title at the connection's address is (PeerRegistry). */
  identity: PeerIdentity;
  /** SHA-256 of the TLS client certificate; null on plain TCP or without one. */
  certificateFingerprint: string | null;
  activeAssociations: number;
  /** Open associations of the identified peer (0 when not registered). */
  peerAssociations: number;
  freeDiskMb: number;
}

export interface AssociationPolicy {
  aet: string;
  /** Let calling AE titles that are not in the registry associate (from any address). Registered titles stay bound to their hosts. */
  acceptUnknownPeers: boolean;
  maxAssociations: number;
  minFreeDiskMb: number;
}

export type RejectionCause =
  | 'called-ae-not-ours'
  | 'calling-ae-not-registered'
  | 'address-not-registered'
  | 'certificate-missing'
  | 'certificate-mismatch'
  | 'too-many-associations'
  | 'too-many-peer-associations'
  | 'low-disk';

export type AssociationDecision =
  | { accept: true; peer: DicomPeer | null }
  | {
      accept: false;
      why: RejectionCause;
      /** The registered peer, when the rejection is about one (its limit, its certificate). */
      peer: DicomPeer | null;
      /** PS3.8 Table 9-21 result/source/reason. */
      result: number;
      source: number;
      reason: number;
    };

export function decideAssociation(facts: AssociationRequestFacts, policy: AssociationPolicy): AssociationDecision {
  const { RejectResult, RejectSource, RejectReason } = constants;
  const permanent = (why: RejectionCause, reason: number, peer: DicomPeer | null = null): AssociationDecision => ({ accept: false, why, peer, result: RejectResult.Permanent, source: RejectSource.ServiceUser, reason });
  // Transient rejections: the sender should retry later (PS3.8 9.3.4, source 3 = presentation service provider).
  const transient = (why: RejectionCause, reason: number, peer: DicomPeer | null): AssociationDecision => ({ accept: false, why, peer, result: RejectResult.Transient, source: RejectSource.ServiceProviderPresentation, reason });
  if (!sameAet(facts.calledAet, policy.aet)) return permanent('called-ae-not-ours', RejectReason.CalledAeNotRecognized);
  const { identity } = facts;
  if (identity.kind === 'unknown-aet' && !policy.acceptUnknownPeers) return permanent('calling-ae-not-registered', RejectReason.CallingAeNotRecognized);
  // A registered AE title from an address that is not one of its hosts (or without its pinned certificate) gets the
  // same answer as an unknown title, "calling AE title not recognized": PS3.8 has no reason for "wrong address", the
  // registry recognises a calling AE title only together with its hosts, a different answer would tell a prober which
  // titles are registered, and Orthanc answers the same with DicomCheckModalityHost. The log line says which it was.
  if (identity.kind === 'unregistered-address') return permanent('address-not-registered', RejectReason.CallingAeNotRecognized);
  const peer = identity.kind === 'registered' ? identity.peer : null;
  if (peer) {
    const certificate = checkPeerCertificate(peer, facts.certificateFingerprint);
    if (certificate === 'missing' || certificate === 'mismatch') return permanent(`certificate-${certificate}`, RejectReason.CallingAeNotRecognized, peer);
  }
  if (facts.activeAssociations >= policy.maxAssociations) return transient('too-many-associations', RejectReason.LocalLimitExceeded, peer);
  if (peer?.maxAssociations !== undefined && facts.peerAssociations >= peer.maxAssociations) return transient('too-many-peer-associations', RejectReason.LocalLimitExceeded, peer);
  if (facts.freeDiskMb < policy.minFreeDiskMb) return transient('low-disk', RejectReason.TemporaryCongestion, peer);
  return { accept: true, peer };
}
