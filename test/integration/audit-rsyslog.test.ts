/**
 * The audit trail against a real syslog receiver (rsyslogd, test/helpers/rsyslog.ts): one message of each event class
 * over TCP, mutual TLS and UDP arrives as RFC 5424 (authpriv, MSGID IHE+RFC-3881, BOM) with an audit message valid
 * against the PS3.15 A.5.1 schema; while the receiver is down messages wait in the spool (0600) and arrive in order
 * once it is up; a full spool drops the oldest with a warning.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AuditEvent } from '../../src/audit/events';
import { createAuditTrail, type AuditConfig } from '../../src/audit/trail';
import { createLogger } from '../../src/logging/logger';
import { findFreePort } from '../../src/net/free-port';
import { removeRsyslog, startRsyslog, type Rsyslog } from '../helpers/rsyslog';
import { createTestPki, type TestPki } from '../helpers/tls-certs';

jest.setTimeout(30_000);
const SCHEMA = path.join(__dirname, '../../src/audit/audit-message.rng');

const EVENTS: AuditEvent[] = [
  { type: 'application-start' },
  { type: 'configuration-loaded', sources: ['/etc/gastric-ai/node.yaml'] },
  { type: 'association', accepted: true, calling: { aet: 'PACS', host: '127.0.0.1' }, calledAet: 'GASTRIC_AI', tls: true },
  { type: 'association', accepted: false, calling: { aet: 'STRANGER', host: '10.9.9.9' }, calledAet: 'GASTRIC_AI', tls: false, description: 'calling AE title not recognized' },
  { type: 'instances-transferred', direction: 'received', outcome: 'success', peer: { aet: 'PACS', host: '127.0.0.1' }, studyInstanceUid: '1.2.3.4', patientId: 'PID-7', sopClasses: [{ uid: '1.2.840.10008.5.1.4.1.1.2', count: 30 }] },
  { type: 'instances-transferred', direction: 'exported', outcome: 'success', peer: { aet: 'PACS', host: '127.0.0.1' }, studyInstanceUid: '1.2.3.4', patientId: 'PID-7', sopClasses: [{ uid: '1.2.840.10008.5.1.4.1.1.88.34', count: 1 }] },
  { type: 'query', outcome: 'success', responder: { host: '127.0.0.1', url: 'http://127.0.0.1:8042/dicom-web' }, url: 'http://127.0.0.1:8042/dicom-web/studies?ModalitiesInStudy=CT' },
  { type: 'user-authentication', outcome: 'success', userId: 'viewer-1', host: '127.0.0.1' },
  { type: 'user-authentication', outcome: 'minor-failure', userId: 'unknown', host: '127.0.0.1', description: 'no such token' },
  { type: 'security-alert', alert: 'restricted-function', outcome: 'minor-failure', subject: { kind: 'uri', id: '/api/studies/1.2.3.4/retry' }, description: 'viewer token on an operator route', by: { userId: 'viewer-1', host: '127.0.0.1' } },
  { type: 'application-stop' },
];
/** EventID/EventTypeCode of each, in order. */
const EXPECTED = ['110100/110120', '110113/110129', '110113/110126', '110113/110126', '110104/', '110104/', '110112/', '110114/110122', '110114/110122', '110113/110132', '110100/110121'];

let pki: TestPki;
let receiver: Rsyslog;
let dataDir: string;
const logs: string[] = [];
const logger = createLogger({ write: (l) => logs.push(l) });

const baseConfig = (over: Partial<AuditConfig>): AuditConfig => ({
  enabled: true, transport: 'tcp', host: '127.0.0.1', port: 1, tls: null, enterpriseSiteId: 'Test Hospital', sourceId: null, spoolMaxMessages: 1000, ...over,
});

beforeAll(async () => {
  pki = createTestPki();
  const server = pki.issue('rsyslog');
  receiver = await startRsyslog({ tls: { caFile: pki.caFile, certFile: server.certFile, keyFile: server.keyFile } });
});
afterAll(async () => {
  await removeRsyslog(receiver);
  pki?.remove();
});
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-data-'));
  logs.length = 0;
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** Splits an RFC 5424 line into header fields and the XML after the BOM. */
function parse(line: string): { pri: number; version: string; app: string; msgId: string; sd: string; xml: string } {
  const m = /^<(\d+)>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) \uFEFF(.*)$/.exec(line);
  if (!m) throw new Error(`not an RFC 5424 message with a BOM: ${line.slice(0, 120)}`);
  return { pri: Number(m[1]), version: m[2], app: m[5], msgId: m[7], sd: m[8], xml: m[9] };
}

function eventCodes(xml: string): string {
  const id = /<EventID csd-code="([^"]+)"/.exec(xml)?.[1];
  const type = /<EventTypeCode csd-code="([^"]+)"/.exec(xml)?.[1] ?? '';
  return `${id}/${type}`;
}

function validate(xml: string, name: string): void {
  const file = path.join(dataDir, `${name}.xml`);
  fs.writeFileSync(file, xml);
  execFileSync('xmllint', ['--noout', '--relaxng', SCHEMA, file], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function sendAll(config: AuditConfig): Promise<string[]> {
  const before = receiver.messages().length;
  const trail = createAuditTrail(config, { dataDir, aet: 'GASTRIC_AI', logger });
  for (const e of EVENTS) trail.record(e);
  await trail.flush();
  await trail.stop();
  return (await receiver.waitFor(before + EVENTS.length)).slice(before);
}

describe.each([
  ['tcp', () => ({ transport: 'tcp' as const, port: receiver.tcpPort })],
  ['tls', () => {
    const client = pki.issue('node-client');
    return { transport: 'tls' as const, port: receiver.tlsPort, tls: { certFile: client.certFile, keyFile: client.keyFile, caFile: pki.caFile } };
  }],
  ['udp', () => ({ transport: 'udp' as const, port: receiver.udpPort })],
])('over %s', (name, settings) => {
  it('the receiver holds one schema-valid audit message of each event class, in order', async () => {
    const lines = await sendAll(baseConfig(settings()));
    const parsed = lines.map(parse);
    expect(parsed.map((p) => eventCodes(p.xml))).toEqual(EXPECTED);
    for (const [i, p] of parsed.entries()) {
      expect(Math.floor(p.pri / 8)).toBe(10);
      expect(p).toMatchObject({ version: '1', app: 'gastric-ai-node', msgId: 'IHE+RFC-3881', sd: '-' });
      validate(p.xml, `${name}-${i}`);
      expect(p.xml).toContain('AuditSourceID="GASTRIC_AI"');
    }
    // Failures are warnings (severity 4), successes notices (5).
    expect(parsed.map((p) => p.pri % 8)).toEqual([5, 5, 5, 4, 5, 5, 5, 5, 4, 4, 5]);
    // PHI: the Patient ID only in the two instances-transferred messages.
    expect(lines.filter((l) => l.includes('PID-7'))).toHaveLength(2);
  });
});

it('a TLS repository that does not trust our certificate gets nothing; the messages stay spooled', async () => {
  const stranger = pki.selfSigned('stranger');
  const before = receiver.messages().length;
  const trail = createAuditTrail(baseConfig({ transport: 'tls', port: receiver.tlsPort, tls: { certFile: stranger.certFile, keyFile: stranger.keyFile, caFile: pki.caFile } }), { dataDir, aet: 'GASTRIC_AI', logger });
  trail.record({ type: 'application-start' });
  await trail.flush();
  await new Promise((r) => setTimeout(r, 300));
  await trail.stop();
  expect(receiver.messages().length).toBe(before);
  expect(fs.readFileSync(path.join(dataDir, 'audit-spool', 'queue.log'), 'utf8').trim().split('\n')).toHaveLength(1);
});

it('while the repository is down messages are spooled (0600), then sent in order when it is up', async () => {
  const ports = { udp: await findFreePort(), tcp: await findFreePort(), tls: 0 };
  const trail = createAuditTrail(baseConfig({ transport: 'tcp', port: ports.tcp }), { dataDir, aet: 'GASTRIC_AI', logger, retryMs: 100, maxRetryMs: 200 });
  for (const user of ['first', 'second', 'third']) trail.record({ type: 'user-authentication', outcome: 'success', userId: user, host: '127.0.0.1' });
  await trail.flush();
  const queue = path.join(dataDir, 'audit-spool', 'queue.log');
  expect(fs.statSync(queue).mode & 0o777).toBe(0o600);
  expect(fs.readFileSync(queue, 'utf8').trim().split('\n')).toHaveLength(3);
  expect(logs.some((l) => l.includes('audit repository unreachable'))).toBe(true);

  const late = await startRsyslog({ ports });
  try {
    const lines = await late.waitFor(3);
    expect(lines.map((l) => /UserID="([^"]+)" UserIsRequestor="true"/.exec(l)?.[1])).toEqual(['first', 'second', 'third']);
    trail.record({ type: 'application-stop' });
    await trail.flush();
    expect((await late.waitFor(4)).length).toBe(4);
    expect(fs.readFileSync(queue, 'utf8')).toBe('');
  } finally {
    await trail.stop();
    await removeRsyslog(late);
  }
});

it('a full spool drops the oldest messages with a counted warning', async () => {
  const ports = { udp: await findFreePort(), tcp: await findFreePort(), tls: 0 };
  const trail = createAuditTrail(baseConfig({ transport: 'tcp', port: ports.tcp, spoolMaxMessages: 2 }), { dataDir, aet: 'GASTRIC_AI', logger, retryMs: 100, maxRetryMs: 200 });
  for (const user of ['u1', 'u2', 'u3', 'u4', 'u5']) trail.record({ type: 'user-authentication', outcome: 'success', userId: user, host: '127.0.0.1' });
  const dropped = logs.filter((l) => l.includes('audit spool full')).map((l) => JSON.parse(l) as { droppedTotal: number });
  expect(dropped.at(-1)?.droppedTotal).toBe(3);
  const late = await startRsyslog({ ports });
  try {
    const lines = await late.waitFor(2);
    await new Promise((r) => setTimeout(r, 300));
    const users = late.messages().map((l) => /UserID="([^"]+)" UserIsRequestor="true"/.exec(l)?.[1]);
    // u1 may have been in flight (first connect attempt) when it was dropped; u2 and u3 never leave the spool.
    expect(users.slice(-2)).toEqual(['u4', 'u5']);
    expect(users).not.toContain('u2');
    expect(users).not.toContain('u3');
    expect(lines.length).toBeGreaterThanOrEqual(2);
  } finally {
    await trail.stop();
    await removeRsyslog(late);
  }
});

it('a spool left by a previous run is sent by the next one', async () => {
  const ports = { udp: await findFreePort(), tcp: await findFreePort(), tls: 0 };
  const first = createAuditTrail(baseConfig({ transport: 'tcp', port: ports.tcp }), { dataDir, aet: 'GASTRIC_AI', logger, retryMs: 60_000 });
  first.record({ type: 'application-start' });
  await first.stop();
  const late = await startRsyslog({ ports });
  try {
    const second = createAuditTrail(baseConfig({ transport: 'tcp', port: ports.tcp }), { dataDir, aet: 'GASTRIC_AI', logger });
    second.record({ type: 'application-stop' });
    await second.flush();
    const lines = await late.waitFor(2);
    expect(lines.map((l) => eventCodes(parse(l).xml))).toEqual(['110100/110120', '110100/110121']);
    await second.stop();
  } finally {
    await removeRsyslog(late);
  }
});

it('disabled, it is a no-op that writes nothing', async () => {
  const trail = createAuditTrail(baseConfig({ enabled: false }), { dataDir, aet: 'GASTRIC_AI', logger });
  trail.record({ type: 'application-start' });
  await trail.flush();
  expect(fs.existsSync(path.join(dataDir, 'audit-spool'))).toBe(false);
});
