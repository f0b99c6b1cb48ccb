/**
 * The coded values of the audit messages (PS3.15 A.5.3, PS3.16 CID 400-403 and the RFC 3881 codes DICOM keeps),
 * as { code, system, meaning }: written as csd-code / codeSystemName / originalText (PS3.15 A.5.1.1).
 */
export interface AuditCode {
  code: string;
  system: 'DCM' | 'RFC-3881';
  meaning: string;
}

const dcm = (code: string, meaning: string): AuditCode => ({ code, system: 'DCM', meaning });
const rfc3881 = (code: string, meaning: string): AuditCode => ({ code, system: 'RFC-3881', meaning });

/** EventID (CID 400 Audit Event ID). */
export const EVENT_ID = {
  applicationActivity: dcm('110100', 'Application Activity'),
  instancesTransferred: dcm('110104', 'DICOM Instances Transferred'),
  query: dcm('110112', 'Query'),
  securityAlert: dcm('110113', 'Security Alert'),
  userAuthentication: dcm('110114', 'User Authentication'),
} as const;

/** EventTypeCode (CID 401 Audit Event Type Code, CID 403 Security Alert Type Code). */
export const EVENT_TYPE = {
  applicationStart: dcm('110120', 'Application Start'),
  applicationStop: dcm('110121', 'Application Stop'),
  login: dcm('110122', 'Login'),
  logout: dcm('110123', 'Logout'),
  /** A secure channel or a peer's identity (AE title, address, certificate) checked: association accepted or refused. */
  nodeAuthentication: dcm('110126', 'Node Authentication'),
  /** Access control: keys, certificates, peer registry, API credentials (what "configuration loaded" makes effective). */
  securityConfiguration: dcm('110129', 'Security Configuration'),
  softwareConfiguration: dcm('110131', 'Software Configuration'),
  /** Something a peer or user is not allowed to do was attempted (e.g. an operator route with a viewer token). */
  useOfRestrictedFunction: dcm('110132', 'Use of Restricted Function'),
} as const;

/** RoleIDCode (CID 402 Audit Active Participant Role ID Code). */
export const ROLE = {
  application: dcm('110150', 'Application'),
  applicationLauncher: dcm('110151', 'Application Launcher'),
  destination: dcm('110152', 'Destination Role ID'),
  source: dcm('110153', 'Source Role ID'),
} as const;

/** ParticipantObjectIDTypeCode. */
export const OBJECT_ID_TYPE = {
  patientNumber: rfc3881('2', 'Patient Number'),
  uri: rfc3881('12', 'URI'),
  studyInstanceUid: dcm('110180', 'Study Instance UID'),
  sopClassUid: dcm('110181', 'SOP Class UID'),
  nodeId: dcm('110182', 'Node ID'),
} as const;
