/**
 * What the DIMSE listener tells an audit trail (IHE ATNA: association accepted/refused, DICOM instances received):
 * small typed hooks in DimseListenerOptions, called synchronously after the log line. A hook must not throw or
 * block; one that throws is logged and ignored, the association goes on.
 */
import type { ReceivedInstance } from '../../domain/instance';
import type { RejectionCause } from './negotiation';

/** The connection an event happened on. */
export interface ConnectionFacts {
  callingAet: string;
  calledAet: string;
  /** The registry name of the peer; null for an unknown peer (acceptUnknownPeers, or rejected). */
  peerName: string | null;
  /** As the socket reports it (an IPv4 peer of a dual-stack listener is `::ffff:a.b.c.d`). */
  remoteAddress: string;
  remotePort: number;
  transport: 'tcp' | 'tls';
}

export interface AssociationEvent extends ConnectionFacts {
  outcome: 'accepted' | 'rejected';
  /** Rejections only: why (the A-ASSOCIATE-RJ reason the peer got is coarser, see negotiation.ts). */
  reason?: RejectionCause;
}

export interface InstanceStoredEvent extends ConnectionFacts {
  /** The committed instance: its UIDs, SOP class, size and spool path. */
  instance: ReceivedInstance;
}

/** A TLS handshake that failed on the DICOM TLS port (no certificate, an untrusted one, plain DICOM, no common cipher). */
export interface TlsRefusedEvent {
  remoteAddress: string;
  remotePort: number;
  /** OpenSSL's code or message. */
  reason: string;
}

export interface DimseEventHooks {
  onAssociation?(event: AssociationEvent): void;
  onInstanceStored?(event: InstanceStoredEvent): void;
  /** An accepted association ended (released, aborted or dropped): what it stored is complete. */
  onAssociationClosed?(event: ConnectionFacts): void;
  onTlsRefused?(event: TlsRefusedEvent): void;
}
