/**
 * What the node reports to the audit repository (issue 12, part D): one variant per audited event, in the node's own
 * terms. src/audit/messages.ts turns each into its DICOM PS3.15 A.5.3 message. Identifiers only: AE titles, addresses,
 * UIDs, token names; the Patient ID appears only where ATNA requires it (instances transferred), never a name.
 */

/** EventOutcomeIndicator (PS3.15 A.5.2): 0 success, 4 minor failure, 8 serious failure, 12 major failure. */
export type AuditOutcome = 'success' | 'minor-failure' | 'serious-failure' | 'major-failure';

/** A DICOM application on the network: a peer that stores to us, a destination we export to, a PACS we query. */
export interface NetworkPeer {
  /** AE title, when the peer speaks DIMSE. */
  aet?: string;
  /** IP address or host name of the peer (the connection's remote address for a peer that called us). */
  host: string;
  /** For a DICOMweb peer: the base URL (credentials are stripped before it is written). */
  url?: string;
}

export interface ApplicationActivityEvent {
  type: 'application-start' | 'application-stop';
  outcome?: AuditOutcome;
}

/** An association request, accepted or refused (Security Alert, Node Authentication). */
export interface AssociationEvent {
  type: 'association';
  accepted: boolean;
  calling: NetworkPeer;
  /** The AE title the peer called (ours or a wrong one). */
  calledAet: string;
  /** Over DICOM TLS (then a peer certificate was checked). */
  tls: boolean;
  /** Why it was refused, or which registry peer it matched: free text for the log reader (no PHI). */
  description?: string;
}

/** A security-relevant event that is neither an association nor a log-in (Security Alert). */
export interface SecurityAlertEvent {
  type: 'security-alert';
  /** restricted-function: an attempt beyond a credential's role; node-authentication: e.g. a TLS handshake refused. */
  alert: 'restricted-function' | 'node-authentication';
  outcome: AuditOutcome;
  /** What the alert is about: a URI (e.g. the API route) or a node (IP address / host name). */
  subject: { kind: 'uri' | 'node'; id: string };
  description: string;
  /** Who did it, when known (a token name, an AE title, an address). */
  by?: { userId: string; host?: string };
}

/** DICOM instances of one study received from a peer or exported to a destination (DICOM Instances Transferred). */
export interface InstancesTransferredEvent {
  type: 'instances-transferred';
  /** received: C (we did not hold them); exported: R (PS3.15 A.5.3.7: the audit source is not the receiver). */
  direction: 'received' | 'exported';
  outcome: AuditOutcome;
  /** The sender (received) or the destination (exported); the node itself is the other side. */
  peer: NetworkPeer;
  studyInstanceUid: string;
  /** Patient ID (0010,0020): ATNA requires the Patient participant object. Empty when the instances carry none. */
  patientId: string;
  /** SOP Class UID → number of instances of that class in this transfer. */
  sopClasses: { uid: string; count: number }[];
  description?: string;
}

/** A QIDO-RS search the poller sent to the PACS (Query). */
export interface QueryEvent {
  type: 'query';
  outcome: AuditOutcome;
  /** The PACS answering the query. */
  responder: NetworkPeer;
  /** The request URL with its query string (credentials are stripped before it is written). */
  url: string;
  description?: string;
}

/** An API credential presented (User Authentication, Login). */
export interface UserAuthenticationEvent {
  type: 'user-authentication';
  outcome: AuditOutcome;
  /** Who: the token's name or the OpenID subject; "unknown" for a token that matched nothing. Never the secret. */
  userId: string;
  /** The client's address. */
  host: string;
  description?: string;
}

/** The configuration became effective at start (Security Alert, Security Configuration). */
export interface ConfigurationLoadedEvent {
  type: 'configuration-loaded';
  outcome?: AuditOutcome;
  /** Where it came from: the file paths and "environment", as the loader reports them. */
  sources: string[];
  /** A digest of the effective configuration (e.g. SHA-256), so a change between starts shows. */
  digest?: string;
}

export type AuditEvent =
  | ApplicationActivityEvent
  | AssociationEvent
  | SecurityAlertEvent
  | InstancesTransferredEvent
  | QueryEvent
  | UserAuthenticationEvent
  | ConfigurationLoadedEvent;
