/**
 * The DICOM peer registry against the real dcmtk tools: unknown AE titles and registered titles from other
 * addresses are rejected (echoscu prints the A-ASSOCIATE-RJ reason), registered peers by address, CIDR range,
 * host name or through an IPv4-mapped address are accepted and store, per-peer association caps hold, and every
 * association log line names the peer's address and registry name. The audit hooks see the same events.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writePart10 } from '../../src/dicom/io';
import { randomUid } from '../../src/dicom/uid';
import type { AssociationEvent, InstanceStoredEvent } from '../../src/ingest/dimse/events';
import { AET, runTool, startTestListener, type TestListener } from '../helpers/dimse-listener';
import { outcome, RawPeer } from '../helpers/raw-dimse-peer';

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const SC_IMAGE = '1.2.840.10008.5.1.4.1.1.7';

const echo = (h: TestListener, calling: string, host = '127.0.0.1'): ReturnType<typeof runTool> => runTool('echoscu', ['-aet', calling, '-aec', AET, host, String(h.listener.port)]);

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dimse-peers-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A small Secondary Capture file; returns its path and SOP Instance UID. */
function scFile(): { file: string; sop: string } {
  const sop = randomUid();
  const file = path.join(scratch, `${sop}.dcm`);
  const dataset = {
    SOPClassUID: SC_IMAGE, SOPInstanceUID: sop, StudyInstanceUID: randomUid(), SeriesInstanceUID: randomUid(), Modality: 'OT',
    Rows: 8, Columns: 8, BitsAllocated: 8, BitsStored: 8, HighBit: 7, PixelRepresentation: 0, SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2', PixelData: [new Uint8Array(64).fill(3).buffer], _vrMap: { PixelData: 'OB' },
  };
  fs.writeFileSync(file, writePart10(dataset, EXPLICIT_LE));
  return { file, sop };
}

const parsed = (h: TestListener, msg: string): Array<Record<string, unknown>> => h.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);

describe('DICOM peer registry', () => {
  let h: TestListener;
  const associations: AssociationEvent[] = [];
  const stored: InstanceStoredEvent[] = [];
  beforeAll(async () => {
    h = await startTestListener({
      maxAssociations: 4,
      peers: [
        { name: 'pacs', aet: 'PACS', hosts: ['127.0.0.0/8'] },
        { name: 'far-modality', aet: 'FAR', hosts: ['10.20.0.0/16', 'fd00:20::/32'] },
        { name: 'by-name', aet: 'BYNAME', hosts: ['localhost'] },
        { name: 'capped', aet: 'CAPPED', hosts: ['127.0.0.1'], maxAssociations: 1 },
      ],
      onAssociation: (e) => associations.push(e),
      onInstanceStored: (e) => stored.push(e),
    });
  });
  afterAll(async () => {
    await h.stop();
  });

  test('an unknown AE title is rejected: echoscu and storescu see "Calling AE Title Not Recognized"', async () => {
    const refused = await echo(h, 'INTRUDER');
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/Association Rejected/i);
    expect(refused.output).toMatch(/Result: Rejected Permanent, Source: Service User/i);
    expect(refused.output).toMatch(/Reason: Calling AE Title Not Recognized/i);
    const { file, sop } = scFile();
    const store = await runTool('storescu', ['-aet', 'INTRUDER', '-aec', AET, '127.0.0.1', String(h.listener.port), file]);
    expect(store.code).not.toBe(0);
    expect(store.output).toMatch(/Calling AE Title Not Recognized/i);
    expect(h.sink.instances.some((i) => i.sopInstanceUid === sop)).toBe(false);
    const line = parsed(h, 'association rejected').find((l) => l.callingAet === 'INTRUDER');
    expect(line).toMatchObject({ reason: 'calling-ae-not-registered', peer: null, remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect(associations.find((e) => e.callingAet === 'INTRUDER')).toMatchObject({ outcome: 'rejected', reason: 'calling-ae-not-registered', peerName: null, remoteAddress: '127.0.0.1', calledAet: AET, transport: 'tcp' });
  });

  test('a registered AE title from an address that is not one of its hosts is rejected the same way', async () => {
    const refused = await echo(h, 'FAR');
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/Reason: Calling AE Title Not Recognized/i);
    const line = parsed(h, 'association rejected').find((l) => l.callingAet === 'FAR');
    expect(line).toMatchObject({ reason: 'address-not-registered', registeredFor: ['far-modality'], remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  });

  test('registered peers (CIDR range, host name) are accepted and store; log lines and audit events name them', async () => {
    expect((await echo(h, 'PACS')).code).toBe(0);
    expect((await echo(h, 'BYNAME')).code).toBe(0);
    const { file, sop } = scFile();
    const store = await runTool('storescu', ['-aet', 'PACS', '-aec', AET, '127.0.0.1', String(h.listener.port), file]);
    expect(store.code).toBe(0);
    expect(h.sink.instances.find((i) => i.sopInstanceUid === sop)?.callingAet).toBe('PACS');
    expect(parsed(h, 'instance stored').find((l) => l.sopInstanceUid === sop)).toMatchObject({ peer: 'pacs', callingAet: 'PACS', remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect(parsed(h, 'association accepted').map((l) => l.peer)).toEqual(expect.arrayContaining(['pacs', 'by-name']));
    expect(stored.find((e) => e.instance.sopInstanceUid === sop)).toMatchObject({ peerName: 'pacs', callingAet: 'PACS', remoteAddress: '127.0.0.1', instance: { sopClassUid: SC_IMAGE } });
    expect(associations.filter((e) => e.outcome === 'accepted').map((e) => e.peerName)).toEqual(expect.arrayContaining(['pacs', 'by-name']));
  });

  test('a per-peer cap rejects (transient, local limit exceeded) while other peers still get in', async () => {
    const holder = await RawPeer.connect(h.listener.port);
    expect(outcome(await holder.associate('CAPPED', [{ id: 1, abstract: VERIFICATION, syntaxes: [IMPLICIT_LE] }]))).toBe('accepted');
    const second = await echo(h, 'CAPPED');
    expect(second.code).not.toBe(0);
    expect(second.output).toMatch(/Result: Rejected Transient, Source: Service Provider \(Presentation Related\)/i);
    expect(second.output).toMatch(/Reason: Local Limit Exceeded/i);
    expect(parsed(h, 'association rejected').find((l) => l.callingAet === 'CAPPED')).toMatchObject({ reason: 'too-many-peer-associations', peer: 'capped' });
    expect((await echo(h, 'PACS')).code).toBe(0);
    await holder.release();
    for (let i = 0; i < 100 && h.listener.status().activeAssociations > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await echo(h, 'CAPPED')).code).toBe(0);
  });

  test('every association log line names the remote address and the peer', () => {
    const messages = ['association accepted', 'association rejected', 'association dropped', 'association aborted by peer', 'instance stored', 'instance refused'];
    const lines = h.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => messages.includes(l.msg as string));
    expect(lines.length).toBeGreaterThan(8);
    for (const line of lines) expect({ msg: line.msg, remote: line.remote, hasPeer: 'peer' in line }).toEqual({ msg: line.msg, remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/), hasPeer: true });
  });
});

describe('DICOM peer registry: address families and open mode', () => {
  test('a dual-stack listener matches IPv4 peers (IPv4-mapped) and IPv6 peers against their ranges', async () => {
    const h = await startTestListener({
      host: '::',
      peers: [
        { name: 'v4', aet: 'V4', hosts: ['127.0.0.1'] },
        { name: 'v6', aet: 'V6', hosts: ['::1/128'] },
      ],
    });
    try {
      expect((await echo(h, 'V4')).code).toBe(0);
      expect(parsed(h, 'association accepted').find((l) => l.callingAet === 'V4')).toMatchObject({ peer: 'v4', remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
      const v6 = await RawPeer.connect(h.listener.port, '::1');
      expect(outcome(await v6.associate('V6', [{ id: 1, abstract: VERIFICATION, syntaxes: [IMPLICIT_LE] }]))).toBe('accepted');
      expect(await v6.echo(1)).toBe(0);
      await v6.release();
      expect(parsed(h, 'association accepted').find((l) => l.callingAet === 'V6')).toMatchObject({ peer: 'v6', remote: expect.stringMatching(/^\[::1\]:\d+$/) });
      // The IPv4 title over IPv6 loopback (and the reverse) is another address: rejected.
      const wrong = await RawPeer.connect(h.listener.port, '::1');
      expect(outcome(await wrong.associate('V4', [{ id: 1, abstract: VERIFICATION, syntaxes: [IMPLICIT_LE] }]))).toBe('rejected result=1 source=1 reason=3');
      expect((await echo(h, 'V6')).code).not.toBe(0);
    } finally {
      await h.stop();
    }
  });

  test('acceptUnknownPeers lets unregistered titles in, but a registered title from elsewhere is still rejected', async () => {
    const h = await startTestListener({ acceptUnknownPeers: true, peers: [{ name: 'far', aet: 'FAR', hosts: ['10.20.0.0/16'] }] });
    try {
      expect((await echo(h, 'ANYONE')).code).toBe(0);
      expect(parsed(h, 'association accepted').find((l) => l.callingAet === 'ANYONE')).toMatchObject({ peer: null });
      const far = await echo(h, 'FAR');
      expect(far.code).not.toBe(0);
      expect(far.output).toMatch(/Calling AE Title Not Recognized/i);
    } finally {
      await h.stop();
    }
  });

  test('an empty registry with the default (closed) setting rejects everyone', async () => {
    const h = await startTestListener({ peers: [] });
    try {
      const refused = await echo(h, 'MODALITY');
      expect(refused.code).not.toBe(0);
      expect(refused.output).toMatch(/Calling AE Title Not Recognized/i);
    } finally {
      await h.stop();
    }
  });
});
