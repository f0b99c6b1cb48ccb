/**
 * Where a study's results go (src/pipeline/destinations.ts): export.target "source" sends them back to the PACS they
 * came from, a named target to that destination; a study with nowhere to go is an unrecoverable job error. The
 * exporters exporterFor builds are checked on loopback: a STOW-RS request to an HTTP server, an A-ASSOCIATE-RQ to a
 * TCP server that refuses it (no Orthanc, no PACS).
 */
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { writePart10 } from '../../src/dicom/io';
import { SopClass, TransferSyntax } from '../../src/dicom/uids';
import { StudyRecord } from '../../src/domain/study';
import { ExportError } from '../../src/export/types';
import { Destination, DestinationConfig, exporterFor, resolveDestination } from '../../src/pipeline/destinations';
import { UnrecoverableJobError } from '../../src/pipeline/queue';

const at = new Date(Date.UTC(2026, 0, 5, 8));
const dimseStudy = (callingAet: string | null): StudyRecord => ({
  studyInstanceUid: '1.2.3.1',
  status: 'exporting',
  source: 'dimse',
  callingAet,
  sourceUrl: null,
  instanceCount: 8,
  firstReceivedAt: at,
  lastReceivedAt: at,
  reason: null,
  revision: 1,
});
const dicomwebStudy = (sourceUrl: string | null): StudyRecord => ({ ...dimseStudy(null), studyInstanceUid: '1.2.3.2', source: 'dicomweb', sourceUrl });

const pacsA: Destination = { name: 'pacs-a', type: 'cstore', aet: 'PACS_A', host: 'pacs-a.local', port: 104 };
const pacsB: Destination = { name: 'pacs-b', type: 'cstore', aet: 'PACS_B', host: 'pacs-b.local', port: 11112 };
const archive: Destination = { name: 'archive', type: 'stow', url: 'http://archive.local/dicom-web/', auth: { type: 'basic', username: 'node', password: 'secret' } };
/** A DICOMweb destination that is also the AE title a DIMSE sender uses (as in the demo's Orthanc). */
const viewer: Destination = { name: 'viewer', type: 'stow', url: 'http://viewer.local/dicom-web', auth: { type: 'none' }, aet: 'VIEWER' };
const pollerAuth = { type: 'bearer', token: 'poller-token' } as const;

const config = (target: string, destinations: Destination[] = [pacsA, pacsB, archive, viewer]): DestinationConfig => ({ target, destinations, nodeAet: 'GASTRIC_AI', pollerAuth });

function expectUnrecoverable(fn: () => unknown, message: string | RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UnrecoverableJobError);
  expect((error as Error).message).toMatch(message);
}

describe('resolveDestination, export.target "source"', () => {
  test('a DIMSE study goes back to the destination whose AE title is the calling AE that sent it', () => {
    expect(resolveDestination(dimseStudy('PACS_A'), config('source'))).toBe(pacsA);
    expect(resolveDestination(dimseStudy('PACS_B'), config('source'))).toBe(pacsB);
    // The AE title decides, whatever the destination's protocol.
    expect(resolveDestination(dimseStudy('VIEWER'), config('source'))).toBe(viewer);
  });

  test('a DIMSE study from an AE title no destination has, or with no calling AE, has nowhere to go', () => {
    expectUnrecoverable(() => resolveDestination(dimseStudy('MODALITY_7'), config('source')), /no destination in export\.destinations has aet "MODALITY_7"/);
    expectUnrecoverable(() => resolveDestination(dimseStudy(null), config('source')), /has aet null/);
    expectUnrecoverable(() => resolveDestination(dimseStudy('PACS_A'), config('source', [])), /aet "PACS_A"/);
  });

  test('a DICOMweb study goes back by STOW-RS to the URL it was polled from, with the poller’s auth', () => {
    expect(resolveDestination(dicomwebStudy('http://pacs.local:8042/dicom-web/'), config('source'))).toEqual({
      name: 'source http://pacs.local:8042/dicom-web',
      type: 'stow',
      url: 'http://pacs.local:8042/dicom-web',
      auth: pollerAuth,
    });
  });

  test('a DICOMweb study polled from a configured STOW destination’s URL uses that destination (its name and auth)', () => {
    expect(resolveDestination(dicomwebStudy('http://archive.local/dicom-web'), config('source'))).toBe(archive);
    expect(resolveDestination(dicomwebStudy('http://viewer.local/dicom-web//'), config('source'))).toBe(viewer);
  });

  test('a DICOMweb study without a source URL falls back to its calling AE (none: nowhere to go)', () => {
    expect(resolveDestination({ ...dicomwebStudy(null), callingAet: 'PACS_B' }, config('source'))).toBe(pacsB);
    expectUnrecoverable(() => resolveDestination(dicomwebStudy(null), config('source')), /has aet null/);
  });
});

describe('resolveDestination, a named export.target', () => {
  test('every study goes to the named destination, wherever it came from', () => {
    expect(resolveDestination(dimseStudy('PACS_A'), config('archive'))).toBe(archive);
    expect(resolveDestination(dicomwebStudy('http://pacs.local:8042/dicom-web'), config('pacs-b'))).toBe(pacsB);
  });

  test('a target that names no configured destination is unrecoverable', () => {
    expectUnrecoverable(() => resolveDestination(dimseStudy('PACS_A'), config('pacs-c')), 'export.target pacs-c is not a configured destination');
  });
});

describe('exporterFor', () => {
  let tmp: string;
  let file: string;
  const closers: Array<() => Promise<void>> = [];
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'destinations-'));
    file = path.join(tmp, 'sc.dcm');
    const dataset = { SOPClassUID: SopClass.SecondaryCaptureImage, SOPInstanceUID: '1.2.3.1.9', StudyInstanceUID: '1.2.3.1', Modality: 'OT' };
    fs.writeFileSync(file, writePart10(dataset, TransferSyntax.ExplicitVRLittleEndian));
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  async function listen(server: http.Server | net.Server): Promise<number> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    return (server.address() as net.AddressInfo).port;
  }

  test('a DICOMweb study’s exporter POSTs the files to {source URL}/studies with the poller’s auth', async () => {
    const requests: Array<{ method?: string; url?: string; authorization?: string; contentType?: string }> = [];
    const server = http.createServer((req, res) => {
      requests.push({ method: req.method, url: req.url, authorization: req.headers.authorization, contentType: req.headers['content-type'] });
      req.resume();
      req.on('end', () => res.writeHead(200).end()); // 200 without a body: all stored (PS3.18 10.5.3)
    });
    const port = await listen(server);
    const exporter = exporterFor(config('source'))(dicomwebStudy(`http://127.0.0.1:${port}/dicom-web/`));
    expect(exporter.name).toBe(`source http://127.0.0.1:${port}/dicom-web`);
    const outcome = await exporter.store([file]);
    expect(outcome).toMatchObject({ destination: exporter.name, instances: [{ file, sopInstanceUid: '1.2.3.1.9', status: 'stored' }] });
    expect(requests).toEqual([{ method: 'POST', url: '/dicom-web/studies', authorization: 'Bearer poller-token', contentType: expect.stringMatching(/^multipart\/related; type="application\/dicom"/) }]);
  });

  test('a DIMSE study’s exporter opens an association to the calling AE’s host and port, as the node’s AE title', async () => {
    const associations: Array<{ called: string; calling: string }> = [];
    const server = net.createServer((socket) => {
      socket.once('data', (pdu: Buffer) => {
        // A-ASSOCIATE-RQ (PS3.8 9.3.2): type 1; called AE at bytes 11-26, calling AE at 27-42.
        if (pdu[0] === 0x01) associations.push({ called: pdu.toString('latin1', 10, 26).trim(), calling: pdu.toString('latin1', 26, 42).trim() });
        // A-ASSOCIATE-RJ (PS3.8 9.3.4): permanent, by the service user, called AE title not recognized.
        socket.end(Buffer.from([0x03, 0, 0, 0, 0, 4, 0, 1, 1, 7]));
      });
    });
    const port = await listen(server);
    const local: Destination = { name: 'local-pacs', type: 'cstore', aet: 'LOCAL_PACS', host: '127.0.0.1', port };
    const exporter = exporterFor(config('source', [local]))(dimseStudy('LOCAL_PACS'));
    expect(exporter.name).toBe('local-pacs');
    const error = await exporter.store([file]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExportError);
    expect((error as Error).message).toMatch(/rejection by service user: called AE title not recognized/);
    expect(associations).toEqual([{ called: 'LOCAL_PACS', calling: 'GASTRIC_AI' }]);
  });

  test('a study with nowhere to go throws when its exporter is asked for, before anything is sent', () => {
    expectUnrecoverable(() => exporterFor(config('source'))(dimseStudy('MODALITY_7')), /aet "MODALITY_7"/);
  });
});
