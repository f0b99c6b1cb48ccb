/**
 * AuditEvent → DICOM audit message XML (PS3.15 A.5.1 schema, A.5.3 message tables). Validated against
 * src/audit/audit-message.rng by test/unit/audit-messages.test.ts.
 */
import { isIP } from 'net';
import { EVENT_ID, EVENT_TYPE, OBJECT_ID_TYPE, ROLE, type AuditCode } from './codes';
import type { AuditEvent, AuditOutcome, NetworkPeer } from './events';
import { withoutUrlCredentials } from '../security/redact';
import { element, textElement } from './xml';

/** Who writes the messages: this node. */
export interface AuditSource {
  /** AuditSourceID (default: the node's AE title). */
  sourceId: string;
  /** AuditEnterpriseSiteID, e.g. the hospital's name or OID; null leaves it out. */
  enterpriseSiteId: string | null;
  /** Our AE title (AlternativeUserID AETITLES=…). */
  aet: string;
  /** Our process ID: UserID of the application participant, as in our own logs (A.5.2.1). */
  processId: string;
  /** The one host name or address that identifies this node in every message (A.5.2.4 multi-homed nodes). */
  hostname: string;
}

const OUTCOME: Record<AuditOutcome, string> = { success: '0', 'minor-failure': '4', 'serious-failure': '8', 'major-failure': '12' };

const code = (name: string, c: AuditCode): string => element(name, { 'csd-code': c.code, codeSystemName: c.system, originalText: c.meaning });

interface Participant {
  userId: string;
  alternativeUserId?: string;
  userName?: string;
  requestor: boolean;
  role?: AuditCode;
  /** 1 machine name, 2 IP address, 5 URI. */
  host?: string;
}

function networkAccessPoint(host: string): { NetworkAccessPointID: string; NetworkAccessPointTypeCode: string } {
  const id = host.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return { NetworkAccessPointID: id, NetworkAccessPointTypeCode: isIP(id) ? '2' : /^[a-z][a-z0-9+.-]*:\/\//i.test(id) ? '5' : '1' };
}

function participant(p: Participant): string {
  return element(
    'ActiveParticipant',
    {
      UserID: p.userId,
      AlternativeUserID: p.alternativeUserId,
      UserName: p.userName,
      UserIsRequestor: p.requestor,
      ...(p.host ? networkAccessPoint(p.host) : {}),
    },
    p.role ? [code('RoleIDCode', p.role)] : [],
  );
}

const aetitles = (aet: string | undefined): string | undefined => (aet ? `AETITLES=${aet}` : undefined);

/** The node as a participant: its process, AE title and host. */
function self(source: AuditSource, requestor: boolean, role?: AuditCode): Participant {
  return { userId: source.processId, alternativeUserId: aetitles(source.aet), userName: 'gastric-ai-node', requestor, role, host: source.hostname };
}

/** A remote application: its AE title (or URL) as UserID, its address as network access point. */
function peer(p: NetworkPeer, requestor: boolean, role?: AuditCode): Participant {
  const url = p.url ? withoutUrlCredentials(p.url) : undefined;
  return { userId: p.aet ?? url ?? p.host, alternativeUserId: aetitles(p.aet), requestor, role, host: p.host };
}

function eventIdentification(o: { id: AuditCode; types: AuditCode[]; action: 'C' | 'R' | 'E'; at: Date; outcome: AuditOutcome; description?: string }): string {
  return element('EventIdentification', { EventActionCode: o.action, EventDateTime: o.at.toISOString(), EventOutcomeIndicator: OUTCOME[o.outcome] }, [
    code('EventID', o.id),
    ...o.types.map((t) => code('EventTypeCode', t)),
    ...(o.description ? [textElement('EventOutcomeDescription', o.description)] : []),
  ]);
}

function auditSource(source: AuditSource): string {
  // 4 = application server process (A.5.1.2.1).
  return element('AuditSourceIdentification', { AuditEnterpriseSiteID: source.enterpriseSiteId ?? undefined, AuditSourceID: source.sourceId }, [
    element('AuditSourceTypeCode', { 'csd-code': '4' }),
  ]);
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function detail(type: string, value: string): string {
  return element('ParticipantObjectDetail', { type, value: base64(value) });
}

interface ParticipantObject {
  id: string;
  idType: AuditCode;
  typeCode: '1' | '2';
  role?: string;
  query?: string;
  details?: string[];
  description?: string[];
}

function participantObject(o: ParticipantObject): string {
  return element(
    'ParticipantObjectIdentification',
    { ParticipantObjectID: o.id, ParticipantObjectTypeCode: o.typeCode, ParticipantObjectTypeCodeRole: o.role },
    [
      code('ParticipantObjectIDTypeCode', o.idType),
      ...(o.query !== undefined ? [textElement('ParticipantObjectQuery', base64(o.query))] : []),
      ...(o.details ?? []),
      ...(o.description && o.description.length > 0 ? [element('ParticipantObjectDescription', {}, o.description)] : []),
    ],
  );
}

function message(parts: { event: string; participants: Participant[]; source: AuditSource; objects?: ParticipantObject[] }): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    element('AuditMessage', {}, [parts.event, ...parts.participants.map(participant), auditSource(parts.source), ...(parts.objects ?? []).map(participantObject)])
  );
}

/** The XML of one audit message; `at` is when the event happened. */
export function buildAuditMessage(event: AuditEvent, source: AuditSource, at: Date): string {
  switch (event.type) {
    case 'application-start':
    case 'application-stop':
      // A.5.3.1: the application started or stopped, role Application; no participant objects.
      return message({
        event: eventIdentification({
          id: EVENT_ID.applicationActivity,
          types: [event.type === 'application-start' ? EVENT_TYPE.applicationStart : EVENT_TYPE.applicationStop],
          action: 'E',
          at,
          outcome: event.outcome ?? 'success',
        }),
        participants: [self(source, false, ROLE.application)],
        source,
      });
    case 'association': {
      // A.5.3.11 Security Alert, Node Authentication: the calling peer is the requestor, the node reports.
      const callingNode = event.calling.host.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
      return message({
        event: eventIdentification({
          id: EVENT_ID.securityAlert,
          types: [EVENT_TYPE.nodeAuthentication],
          action: 'E',
          at,
          outcome: event.accepted ? 'success' : 'minor-failure',
          description: event.description,
        }),
        participants: [peer(event.calling, true, ROLE.source), { ...self(source, false, ROLE.destination), alternativeUserId: aetitles(event.calledAet) }],
        source,
        objects: [
          {
            id: callingNode,
            idType: OBJECT_ID_TYPE.nodeId,
            typeCode: '2',
            details: [
              detail(
                'Alert Description',
                `association ${event.accepted ? 'accepted' : 'refused'}: calling AE ${event.calling.aet ?? '?'}, called AE ${event.calledAet}, ${event.tls ? 'DICOM TLS' : 'plain TCP'}` +
                  (event.description ? `: ${event.description}` : ''),
              ),
            ],
          },
        ],
      });
    }
    case 'security-alert':
      return message({
        event: eventIdentification({
          id: EVENT_ID.securityAlert,
          types: [event.alert === 'restricted-function' ? EVENT_TYPE.useOfRestrictedFunction : EVENT_TYPE.nodeAuthentication],
          action: 'E',
          at,
          outcome: event.outcome,
          description: event.description,
        }),
        participants: [self(source, !event.by), ...(event.by ? [{ userId: event.by.userId, requestor: true, host: event.by.host }] : [])],
        source,
        objects: [
          {
            id: event.subject.id,
            idType: event.subject.kind === 'uri' ? OBJECT_ID_TYPE.uri : OBJECT_ID_TYPE.nodeId,
            typeCode: '2',
            role: event.subject.kind === 'uri' ? '13' : undefined,
            details: [detail('Alert Description', event.description)],
          },
        ],
      });
    case 'instances-transferred': {
      // A.5.3.7: C when we received instances we did not hold; R when we sent them (we are not the receiver).
      const received = event.direction === 'received';
      const sopClasses = event.sopClasses.map((s) => element('SOPClass', { UID: s.uid, NumberOfInstances: s.count }));
      return message({
        event: eventIdentification({ id: EVENT_ID.instancesTransferred, types: [], action: received ? 'C' : 'R', at, outcome: event.outcome, description: event.description }),
        participants: received
          ? [peer(event.peer, true, ROLE.source), self(source, false, ROLE.destination)]
          : [self(source, true, ROLE.source), peer(event.peer, false, ROLE.destination)],
        source,
        objects: [
          { id: event.studyInstanceUid, idType: OBJECT_ID_TYPE.studyInstanceUid, typeCode: '2', role: '3', description: sopClasses },
          // ATNA requires the Patient (1..1): Patient ID only, never the name.
          { id: event.patientId || 'UNKNOWN', idType: OBJECT_ID_TYPE.patientNumber, typeCode: '1', role: '1' },
        ],
      });
    }
    case 'query': {
      // A.5.3.10: a non-DICOM (QIDO-RS) query: the request URL as the object ID (URI), the query string as the Query.
      const url = withoutUrlCredentials(event.url);
      const queryString = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
      return message({
        event: eventIdentification({ id: EVENT_ID.query, types: [], action: 'E', at, outcome: event.outcome, description: event.description }),
        participants: [self(source, true, ROLE.source), peer(event.responder, false, ROLE.destination)],
        source,
        objects: [{ id: url.split('?')[0], idType: OBJECT_ID_TYPE.uri, typeCode: '2', role: '24', query: queryString, details: [detail('QueryEncoding', 'UTF-8')] }],
      });
    }
    case 'user-authentication':
      // A.5.3.12: the person (API client) authenticated or claimed, with its address; the node performs it.
      return message({
        event: eventIdentification({ id: EVENT_ID.userAuthentication, types: [EVENT_TYPE.login], action: 'E', at, outcome: event.outcome, description: event.description }),
        participants: [{ userId: event.userId, requestor: true, host: event.host }, self(source, false)],
        source,
      });
    case 'configuration-loaded':
      // A.5.3.11: the configuration (peer registry, TLS keys, API credentials) became effective: Security Configuration.
      return message({
        event: eventIdentification({ id: EVENT_ID.securityAlert, types: [EVENT_TYPE.securityConfiguration], action: 'E', at, outcome: event.outcome ?? 'success' }),
        participants: [self(source, false, ROLE.application)],
        source,
        objects: event.sources.map((s) => ({
          id: s,
          idType: OBJECT_ID_TYPE.uri,
          typeCode: '2' as const,
          role: '5',
          details: [detail('Alert Description', `configuration loaded${event.digest ? ` (sha256 ${event.digest})` : ''}`)],
        })),
      });
  }
}
