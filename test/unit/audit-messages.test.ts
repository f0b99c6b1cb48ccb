/**
 * Every audit message the node writes is valid against the DICOM audit message schema (PS3.15 A.5.1, as
 * src/audit/audit-message.rng) by the real xmllint, carries the A.5.3 codes of its event, escapes what it is given,
 * and has no PHI but the Patient ID where ATNA requires it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AuditEvent } from '../../src/audit/events';
import { buildAuditMessage, type AuditSource } from '../../src/audit/messages';
import { withoutUrlCredentials } from '../../src/security/redact';
import { escapeXml } from '../../src/audit/xml';

const SCHEMA = path.join(__dirname, '../../src/audit/audit-message.rng');
const source: AuditSource = { sourceId: 'GASTRIC_AI', enterpriseSiteId: 'Test Hospital', aet: 'GASTRIC_AI', processId: '4242', hostname: 'ai-node.hospital.lan' };
const at = new Date('2026-12-03T10:00:00.123Z');

/** One event of each class the issue lists. */
const SAMPLE_EVENTS: Record<string, AuditEvent> = {
  start: { type: 'application-start' },
  stop: { type: 'application-stop' },
  accepted: { type: 'association', accepted: true, calling: { aet: 'PACS', host: '::ffff:10.1.2.3' }, calledAet: 'GASTRIC_AI', tls: true, description: 'peer pacs' },
  refused: { type: 'association', accepted: false, calling: { aet: 'EVIL<&>', host: '10.9.9.9' }, calledAet: 'GASTRIC_AI', tls: false, description: 'calling AE title not recognized' },
  restricted: { type: 'security-alert', alert: 'restricted-function', outcome: 'minor-failure', subject: { kind: 'uri', id: '/api/studies/1.2.3/retry' }, description: 'viewer token used for an operator route', by: { userId: 'ward-viewer', host: '10.0.0.7' } },
  received: { type: 'instances-transferred', direction: 'received', outcome: 'success', peer: { aet: 'PACS', host: '10.1.2.3' }, studyInstanceUid: '1.2.826.0.1.3680043.8.498.1', patientId: 'PID-0042', sopClasses: [{ uid: '1.2.840.10008.5.1.4.1.1.77.1.1', count: 12 }] },
  exported: { type: 'instances-transferred', direction: 'exported', outcome: 'success', peer: { aet: 'ARCHIVE', host: 'pacs.hospital.lan', url: 'https://user:secret@pacs.hospital.lan/dicom-web' }, studyInstanceUid: '1.2.826.0.1.3680043.8.498.1', patientId: 'PID-0042', sopClasses: [{ uid: '1.2.840.10008.5.1.4.1.1.88.34', count: 1 }, { uid: '1.2.840.10008.5.1.4.1.1.66.4', count: 1 }] },
  query: { type: 'query', outcome: 'success', responder: { host: 'pacs.hospital.lan', url: 'https://user:secret@pacs.hospital.lan/dicom-web' }, url: 'https://user:secret@pacs.hospital.lan/dicom-web/studies?ModalitiesInStudy=ES&StudyDate=20261203-&limit=100' },
  login: { type: 'user-authentication', outcome: 'success', userId: 'ward-viewer', host: '10.0.0.7' },
  loginFailed: { type: 'user-authentication', outcome: 'minor-failure', userId: 'unknown', host: '10.0.0.8', description: 'bearer token matched no credential' },
  configuration: { type: 'configuration-loaded', sources: ['/etc/gastric-ai/node.yaml', 'environment'], digest: 'ab'.repeat(32) },
};

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-xml-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function validate(name: string, xml: string): void {
  const file = path.join(dir, `${name}.xml`);
  fs.writeFileSync(file, xml);
  // Throws (with xmllint's message) when the document is not valid.
  execFileSync('xmllint', ['--noout', '--relaxng', SCHEMA, file], { stdio: ['ignore', 'pipe', 'pipe'] });
}

const attr = (xml: string, element: string, name: string): string[] =>
  [...xml.matchAll(new RegExp(`<${element}\\b[^>]*?\\s${name}="([^"]*)"`, 'g'))].map((m) => m[1]);

describe('audit messages', () => {
  it.each(Object.entries(SAMPLE_EVENTS))('%s is valid against the PS3.15 A.5.1 schema', (name, event) => {
    validate(name, buildAuditMessage(event, source, at));
  });

  it('the schema refuses a message without its mandatory parts (the check can fail)', () => {
    const xml = buildAuditMessage(SAMPLE_EVENTS.start, source, at).replace(/<AuditSourceIdentification[\s\S]*<\/AuditSourceIdentification>/, '');
    expect(() => validate('broken', xml)).toThrow(/fails to validate|Expecting/);
  });

  it('uses the A.5.3 event IDs, type codes and action codes', () => {
    const id = (e: AuditEvent) => {
      const xml = buildAuditMessage(e, source, at);
      return [attr(xml, 'EventID', 'csd-code')[0], attr(xml, 'EventTypeCode', 'csd-code').join(','), attr(xml, 'EventIdentification', 'EventActionCode')[0], attr(xml, 'EventIdentification', 'EventOutcomeIndicator')[0]];
    };
    expect(id(SAMPLE_EVENTS.start)).toEqual(['110100', '110120', 'E', '0']);
    expect(id(SAMPLE_EVENTS.stop)).toEqual(['110100', '110121', 'E', '0']);
    expect(id(SAMPLE_EVENTS.accepted)).toEqual(['110113', '110126', 'E', '0']);
    expect(id(SAMPLE_EVENTS.refused)).toEqual(['110113', '110126', 'E', '4']);
    expect(id(SAMPLE_EVENTS.restricted)).toEqual(['110113', '110132', 'E', '4']);
    expect(id(SAMPLE_EVENTS.received)).toEqual(['110104', '', 'C', '0']);
    expect(id(SAMPLE_EVENTS.exported)).toEqual(['110104', '', 'R', '0']);
    expect(id(SAMPLE_EVENTS.query)).toEqual(['110112', '', 'E', '0']);
    expect(id(SAMPLE_EVENTS.login)).toEqual(['110114', '110122', 'E', '0']);
    expect(id(SAMPLE_EVENTS.loginFailed)).toEqual(['110114', '110122', 'E', '4']);
    expect(id(SAMPLE_EVENTS.configuration)).toEqual(['110113', '110129', 'E', '0']);
  });

  it('instances transferred: source and destination roles, the study with SOP classes and counts, the Patient ID only', () => {
    const received = buildAuditMessage(SAMPLE_EVENTS.received, source, at);
    expect(received).toMatch(/<ActiveParticipant UserID="PACS" AlternativeUserID="AETITLES=PACS" UserIsRequestor="true" NetworkAccessPointID="10.1.2.3" NetworkAccessPointTypeCode="2"><RoleIDCode csd-code="110153"/);
    expect(received).toMatch(/<ActiveParticipant UserID="4242" AlternativeUserID="AETITLES=GASTRIC_AI"[^>]*><RoleIDCode csd-code="110152"/);
    expect(received).toContain('<ParticipantObjectIdentification ParticipantObjectID="1.2.826.0.1.3680043.8.498.1" ParticipantObjectTypeCode="2" ParticipantObjectTypeCodeRole="3"><ParticipantObjectIDTypeCode csd-code="110180"');
    expect(received).toContain('<SOPClass UID="1.2.840.10008.5.1.4.1.1.77.1.1" NumberOfInstances="12"/>');
    expect(received).toContain('<ParticipantObjectIdentification ParticipantObjectID="PID-0042" ParticipantObjectTypeCode="1" ParticipantObjectTypeCodeRole="1"><ParticipantObjectIDTypeCode csd-code="2" codeSystemName="RFC-3881" originalText="Patient Number"/></ParticipantObjectIdentification>');
    expect(received).not.toContain('ParticipantObjectName');

    const exported = buildAuditMessage(SAMPLE_EVENTS.exported, source, at);
    expect(exported).toMatch(/<ActiveParticipant UserID="ARCHIVE" AlternativeUserID="AETITLES=ARCHIVE" UserIsRequestor="false" NetworkAccessPointID="pacs.hospital.lan" NetworkAccessPointTypeCode="1"><RoleIDCode csd-code="110152"/);
    expect(exported).not.toContain('secret');
  });

  it('query: the QIDO URL without credentials as object ID, its query string base64 in ParticipantObjectQuery', () => {
    const xml = buildAuditMessage(SAMPLE_EVENTS.query, source, at);
    expect(xml).not.toContain('secret');
    expect(attr(xml, 'ParticipantObjectIdentification', 'ParticipantObjectID')).toEqual(['https://pacs.hospital.lan/dicom-web/studies']);
    const query = /<ParticipantObjectQuery>([^<]*)<\/ParticipantObjectQuery>/.exec(xml)?.[1] ?? '';
    expect(Buffer.from(query, 'base64').toString('utf8')).toBe('ModalitiesInStudy=ES&StudyDate=20261203-&limit=100');
  });

  it('audit source: site, source ID and type 4 (application server process)', () => {
    expect(buildAuditMessage(SAMPLE_EVENTS.login, source, at)).toContain('<AuditSourceIdentification AuditEnterpriseSiteID="Test Hospital" AuditSourceID="GASTRIC_AI"><AuditSourceTypeCode csd-code="4"/></AuditSourceIdentification>');
  });

  it('escapes every value, including characters XML cannot carry', () => {
    const xml = buildAuditMessage(SAMPLE_EVENTS.refused, source, at);
    expect(xml).toContain('UserID="EVIL&lt;&amp;&gt;"');
    expect(escapeXml('a"b\'c\u0001d')).toBe('a&quot;b&apos;c\ufffdd');
    validate('controls', buildAuditMessage({ ...SAMPLE_EVENTS.loginFailed, userId: 'x\u0000y<"/>', description: ']]> \u001b' } as AuditEvent, source, at));
  });

  it('strips credentials from URLs', () => {
    expect(withoutUrlCredentials('https://u:p@h:1/x?y=1')).toBe('https://h:1/x?y=1');
    expect(withoutUrlCredentials('http://h/x')).toBe('http://h/x');
  });
});
