/**
 * What the C-STORE SCP refuses and survives: unknown calling/called AEs, the association limit, low disk,
 * malformed data sets sent byte for byte (storescu parses files before sending and skips most broken ones, so
 * a minimal raw DIMSE peer, test/helpers/raw-dimse-peer.ts, sends the bytes as they are), a command/data set UID
 * mismatch, and peers that drop the connection mid-instance. After each, the listener still answers C-ECHO,
 * incoming/ is empty, and the log names no patient.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writePart10, type Dataset } from '../../src/dicom/io';
import { randomUid } from '../../src/dicom/uid';
import { AET, startTestListener, type TestListener, runTool } from '../helpers/dimse-listener';
import { commandSet, contextResult, outcome, pdu, pdv, RawPeer } from '../helpers/raw-dimse-peer';

const DATA = '/work/shared/data/dicom';
const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(25)) if (check()) return;
  throw new Error('condition not met in time');
}

/** Splits a file into its meta transfer syntax and the data set bytes that follow the meta group, as-is. */
function rawDataset(file: string): { ts: string; bytes: Buffer } {
  const bytes = fs.readFileSync(file);
  if (bytes.subarray(128, 132).toString('latin1') !== 'DICM') return { ts: IMPLICIT_LE, bytes };
  let at = 132;
  let ts = IMPLICIT_LE;
  while (at + 8 <= bytes.length && bytes.readUInt16LE(at) === 0x0002) {
    const element = bytes.readUInt16LE(at + 2);
    const vr = bytes.toString('latin1', at + 4, at + 6);
    const long = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN'].includes(vr);
    const length = long ? bytes.readUInt32LE(at + 8) : bytes.readUInt16LE(at + 6);
    const start = at + (long ? 12 : 8);
    if (element === 0x0010) ts = bytes.toString('latin1', start, start + length).replace(/[\0 ]+$/, '');
    at = start + length;
  }
  return { ts, bytes: bytes.subarray(at) };
}

/** Attribute values as dcmdump prints them (it reads truncated files as far as it can). */
async function dumpValue(file: string, tag: string): Promise<string> {
  const dump = await runTool('dcmdump', ['-q', '-Un', '+E', '+P', tag, file]);
  const match = /\[([^\]]*)\]/.exec(dump.output);
  return match ? match[1].trim() : '';
}

const echo = (h: TestListener, calling = 'MODALITY'): Promise<{ code: number | null; output: string }> =>
  runTool('echoscu', ['-aet', calling, '-aec', AET, '127.0.0.1', String(h.listener.port)]);

const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';

/** A CT-like instance with `pixelBytes` (a multiple of 512) of pixel data, in explicit VR little endian. */
function ctInstance(pixelBytes: number, drop: string[] = []): { dataset: Dataset; sop: string; bytes: Buffer } {
  const sop = randomUid();
  const dataset: Dataset = {
    SOPClassUID: CT_IMAGE,
    SOPInstanceUID: sop,
    StudyInstanceUID: randomUid(),
    SeriesInstanceUID: randomUid(),
    Modality: 'CT',
    PatientName: 'RAW^PEER',
    PatientID: 'RAW-0001',
    Rows: pixelBytes / 512,
    Columns: 256,
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 0,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    PixelData: [new Uint8Array(pixelBytes).fill(7).buffer],
    _vrMap: { PixelData: 'OW' },
  };
  for (const key of drop) delete dataset[key];
  return { dataset, sop, bytes: rawDataset(writeTemp(writePart10(dataset, EXPLICIT_LE))).bytes };
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dimse-files-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function writeTemp(bytes: Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(scratch, 'f-')), 'instance.dcm');
  fs.writeFileSync(file, bytes);
  return file;
}

const incoming = (h: TestListener): string[] => fs.readdirSync(h.spool.incomingDir);

describe('DIMSE listener: association refusals', () => {
  test('rejects a calling AE not in the peer registry and a called AE that is not ours', async () => {
    const h = await startTestListener({ peers: [{ name: 'pacs', aet: 'PACS', hosts: ['127.0.0.1'] }] });
    try {
      const refused = await echo(h, 'INTRUDER');
      expect(refused.code).not.toBe(0);
      expect(refused.output).toMatch(/Calling AE Title Not Recognized/i);
      const intruder = await RawPeer.connect(h.listener.port);
      expect(outcome(await intruder.associate('INTRUDER', [{ id: 1, abstract: VERIFICATION, syntaxes: [IMPLICIT_LE] }]))).toBe('rejected result=1 source=1 reason=3');
      const misdirected = await RawPeer.connect(h.listener.port);
      expect(outcome(await misdirected.associate('PACS', [{ id: 1, abstract: VERIFICATION, syntaxes: [IMPLICIT_LE] }], 'OTHER_AE'))).toBe('rejected result=1 source=1 reason=7');
      expect((await echo(h, 'PACS')).code).toBe(0);
      expect(h.lines.filter((l) => l.includes('association rejected')).length).toBe(3);
    } finally {
      await h.stop();
    }
  });

  test('rejects associations over the limit (transient) and accepts again once one ends', async () => {
    const h = await startTestListener({ maxAssociations: 1 });
    try {
      const holder = await RawPeer.connect(h.listener.port);
      expect(outcome(await holder.associate('MODALITY', [{ id: 1, abstract: VERIFICATION, syntaxes: [IMPLICIT_LE] }]))).toBe('accepted');
      const second = await RawPeer.connect(h.listener.port);
      // PS3.8 9.3.4: rejected-transient, service-provider (presentation), local-limit-exceeded.
      expect(outcome(await second.associate('MODALITY', [{ id: 1, abstract: VERIFICATION, syntaxes: [IMPLICIT_LE] }]))).toBe('rejected result=2 source=3 reason=2');
      expect((await echo(h)).code).not.toBe(0);
      await holder.release();
      await waitFor(() => h.listener.status().activeAssociations === 0);
      expect((await echo(h)).code).toBe(0);
    } finally {
      await h.stop();
    }
  });

  test('refuses associations while free disk is below the minimum', async () => {
    const h = await startTestListener({ minFreeDiskMb: 1e12 });
    try {
      const peer = await RawPeer.connect(h.listener.port);
      expect(outcome(await peer.associate('MODALITY', [{ id: 1, abstract: CT_IMAGE, syntaxes: [EXPLICIT_LE] }]))).toBe('rejected result=2 source=3 reason=1');
      const file = writeTemp(writePart10(ctInstance(1024).dataset, EXPLICIT_LE));
      const stored = await runTool('storescu', ['-aet', 'MODALITY', '-aec', AET, '127.0.0.1', String(h.listener.port), file]);
      expect(stored.code).not.toBe(0);
      expect(stored.output).toMatch(/Temporary Congestion/i);
      expect(h.sink.instances).toEqual([]);
      expect(h.listener.status().status).toBe('up');
    } finally {
      await h.stop();
    }
  });
});

/** The public malformed/edge files (README "Malformed / edge cases"), and what the SCP must answer for each. */
const MALFORMED: Array<{ file: string; expect: 'refused' | 'stored' }> = [
  { file: 'pydicom/test_files/MR_truncated.dcm', expect: 'refused' },
  { file: 'pydicom/test_files/rtplan_truncated.dcm', expect: 'refused' },
  { file: 'pydicom/test_files/badVR.dcm', expect: 'refused' },
  { file: 'pydicom/test_files/no_meta.dcm', expect: 'refused' },
  { file: 'pydicom/test_files/meta_missing_tsyntax.dcm', expect: 'refused' },
  { file: 'pydicom/test_files/UN_sequence.dcm', expect: 'refused' },
  { file: 'pydicom-data/bad_sequence.dcm', expect: 'refused' },
  { file: 'pydicom-data/emri_small_jpeg_2k_lossless_too_short.dcm', expect: 'refused' },
  // Header readable and UIDs valid: the oddities (an over-long VR value, a meta group without length) do not matter
  // once the data set is stored with our own meta header.
  { file: 'dcmjs/invalid-vr-length-test.dcm', expect: 'stored' },
  { file: 'dcmjs/no-meta-length-test.dcm', expect: 'stored' },
];

describe('DIMSE listener: malformed and mismatched data sets', () => {
  let h: TestListener;
  beforeAll(async () => {
    h = await startTestListener();
  });
  afterAll(async () => {
    await h.stop();
  });

  test('malformed files sent by storescu (-nh) leave the listener serving', async () => {
    const files = MALFORMED.map((m) => path.join(DATA, m.file));
    await runTool('storescu', ['-aet', 'MODALITY', '-aec', AET, '-nh', '-R', '127.0.0.1', String(h.listener.port), ...files]);
    expect((await echo(h)).code).toBe(0);
    expect(incoming(h)).toEqual([]);
  });

  test.each(MALFORMED)('$file sent byte for byte is $expect', async ({ file, expect: expected }) => {
    const full = path.join(DATA, file);
    const { ts, bytes } = rawDataset(full);
    // Command UIDs as the file states them (dcmdump reads truncated files as far as it can); placeholders if absent.
    const sopClass = (await dumpValue(full, '0008,0016')) || CT_IMAGE;
    const sop = (await dumpValue(full, '0008,0018')) || '1.2.3.4';
    const peer = await RawPeer.connect(h.listener.port);
    const ac = await peer.associate('MODALITY', [{ id: 1, abstract: sopClass, syntaxes: [ts] }]);
    expect(outcome(ac)).toBe('accepted');
    // Presentation context refused (e.g. RT classes are not ours) or a failure status: both keep it out of the spool.
    const status = contextResult(ac, 1) === 0 ? await peer.store(1, sopClass, sop, bytes) : 'context refused';
    await peer.release();
    if (expected === 'stored') expect(status).toBe(0);
    else expect(status).not.toBe(0);
    expect(h.sink.instances.some((i) => i.sopInstanceUid === sop)).toBe(expected === 'stored');
    expect(incoming(h)).toEqual([]);
    expect((await echo(h)).code).toBe(0);
  });

  test('the log names no patient of the malformed files', async () => {
    const values = new Set<string>();
    for (const { file } of MALFORMED) {
      for (const tag of ['0010,0010', '0010,0020']) {
        const value = await dumpValue(path.join(DATA, file), tag);
        if (value.length > 2) values.add(value);
      }
    }
    expect(values.size).toBeGreaterThan(3);
    const log = h.lines.join('\n');
    expect(h.lines.some((l) => l.includes('instance refused'))).toBe(true);
    for (const value of values) expect({ value, logged: log.includes(value) }).toEqual({ value, logged: false });
    expect(h.listener.stats.failures).toBeGreaterThanOrEqual(6);
  });

  test('a data set whose UIDs differ from the command is refused (A900/0122); one without a Study UID (C000)', async () => {
    const peer = await RawPeer.connect(h.listener.port);
    expect(outcome(await peer.associate('MODALITY', [{ id: 1, abstract: CT_IMAGE, syntaxes: [EXPLICIT_LE] }]))).toBe('accepted');
    const good = ctInstance(1024);
    expect(await peer.store(1, CT_IMAGE, randomUid(), good.bytes)).toBe(0xa900);
    // A C-STORE for another SOP Class than the context's abstract syntax (PS3.7 9.3.1.1).
    expect(await peer.store(1, '1.2.840.10008.5.1.4.1.1.4', good.sop, good.bytes)).toBe(0x0122);
    const noStudy = ctInstance(1024, ['StudyInstanceUID']);
    expect(await peer.store(1, CT_IMAGE, noStudy.sop, noStudy.bytes)).toBe(0xc000);
    // Still serving on the same association.
    expect(await peer.store(1, CT_IMAGE, good.sop, good.bytes)).toBe(0);
    await peer.release();
    expect(h.sink.instances.filter((i) => i.sopInstanceUid === good.sop).length).toBe(1);
    expect(incoming(h)).toEqual([]);
    expect(h.lines.join('\n')).not.toContain('RAW^PEER');
  });
});

describe('DIMSE listener: dropped and aborted peers', () => {
  let h: TestListener;
  let big: ReturnType<typeof ctInstance>;
  beforeAll(async () => {
    h = await startTestListener();
    big = ctInstance(512 * 60000); // ~30 MB of pixel data
  });
  afterAll(async () => {
    await h.stop();
  });

  /** Starts a C-STORE, sends `bytes` of the data set, waits until the SCP is spooling it, then ends as `end` says. */
  async function interrupt(end: (peer: RawPeer) => void): Promise<void> {
    const peer = await RawPeer.connect(h.listener.port);
    expect(outcome(await peer.associate('MODALITY', [{ id: 1, abstract: CT_IMAGE, syntaxes: [EXPLICIT_LE] }]))).toBe('accepted');
    const command = commandSet([[0x0002, 'UI', CT_IMAGE], [0x0100, 'US', 1], [0x0110, 'US', 1], [0x0700, 'US', 0], [0x0800, 'US', 0], [0x1000, 'UI', big.sop]]);
    peer.socket.write(pdv(1, 0x03, command));
    for (let at = 0; at < 4_000_000; at += 16000) peer.socket.write(pdv(1, 0x00, big.bytes.subarray(at, at + 16000)));
    await waitFor(() => incoming(h).length === 1);
    end(peer);
    await waitFor(() => incoming(h).length === 0);
    await waitFor(() => h.listener.status().activeAssociations === 0);
    expect((await echo(h)).code).toBe(0);
    expect(h.sink.instances).toEqual([]);
  }

  test('a connection dropped mid-instance leaves incoming/ empty', async () => {
    await interrupt((peer) => peer.socket.destroy());
  });

  test('an A-ABORT mid-instance leaves incoming/ empty', async () => {
    await interrupt((peer) => peer.socket.write(pdu(0x07, Buffer.alloc(4))));
  });

  test('an A-ASSOCIATE-RQ followed by a drop frees the association', async () => {
    const peer = await RawPeer.connect(h.listener.port);
    expect(outcome(await peer.associate('MODALITY', [{ id: 1, abstract: CT_IMAGE, syntaxes: [EXPLICIT_LE] }]))).toBe('accepted');
    peer.socket.destroy();
    await waitFor(() => h.listener.status().activeAssociations === 0);
    expect(incoming(h)).toEqual([]);
    expect((await echo(h)).code).toBe(0);
  });

  test('storescu killed mid-transfer of a large file leaves incoming/ empty', async () => {
    const file = writeTemp(writePart10(big.dataset, EXPLICIT_LE));
    // Small PDUs slow the transfer down enough to kill it in the middle.
    const child: ChildProcess = spawn('storescu', ['-aet', 'MODALITY', '-aec', AET, '--max-send-pdu', '4096', '127.0.0.1', String(h.listener.port), file]);
    await waitFor(() => incoming(h).length === 1, 10000);
    child.kill('SIGKILL');
    await waitFor(() => incoming(h).length === 0);
    expect(h.sink.instances).toEqual([]);
    expect((await echo(h)).code).toBe(0);
  });

  test('a PDU longer than maxPduLength ends the connection', async () => {
    const peer = await RawPeer.connect(h.listener.port);
    expect(outcome(await peer.associate('MODALITY', [{ id: 1, abstract: CT_IMAGE, syntaxes: [EXPLICIT_LE] }]))).toBe('accepted');
    const header = Buffer.alloc(6);
    header.writeUInt8(0x04, 0);
    header.writeUInt32BE(64 * 1024 * 1024, 2);
    peer.socket.write(header);
    expect(await peer.next()).toBeNull();
    expect(h.lines.some((l) => l.includes('PDU too long'))).toBe(true);
    expect((await echo(h)).code).toBe(0);
  });

  test('stop() cuts open associations, discards their partial files and refuses new connections', async () => {
    const old = h;
    h = await startTestListener();
    const peer = await RawPeer.connect(old.listener.port);
    expect(outcome(await peer.associate('MODALITY', [{ id: 1, abstract: CT_IMAGE, syntaxes: [EXPLICIT_LE] }]))).toBe('accepted');
    const command = commandSet([[0x0002, 'UI', CT_IMAGE], [0x0100, 'US', 1], [0x0110, 'US', 1], [0x0700, 'US', 0], [0x0800, 'US', 0], [0x1000, 'UI', big.sop]]);
    peer.socket.write(pdv(1, 0x03, command));
    peer.socket.write(pdv(1, 0x00, big.bytes.subarray(0, 16000)));
    await waitFor(() => incoming(old).length === 1);
    await old.listener.stop();
    expect(old.listener.status().status).toBe('down');
    expect(await peer.next()).toBeNull();
    await waitFor(() => incoming(old).length === 0);
    await expect(RawPeer.connect(old.listener.port)).rejects.toThrow();
    await old.stop();
  });
});