/**
 * HTTPS with a hospital CA for DICOMweb: the STOW-RS exporter and the poller's QIDO-RS/WADO-RS client against a real
 * Orthanc behind an HTTPS front end whose certificate is signed by a test CA (made by openssl). With the CA they
 * work; without it they fail with an error that says to set caFile.
 */
import { createServer as createHttpsServer, type Server } from 'https';
import { request as httpRequest } from 'http';
import type { AddressInfo } from 'net';
import { storeByStow } from '../../src/export/stow';
import { createDicomWebService } from '../../src/ingest/dicomweb/service';
import { loadCaFile } from '../../src/security/tls';
import { startOrthanc, type OrthancProcess } from '../helpers/orthanc';
import { createTestPki, type TestPki } from '../helpers/tls-certs';
import * as fs from 'fs';
import { CT_SMALL } from '../helpers/reference-files';

let pki: TestPki;
let orthanc: OrthancProcess;
let front: Server;
let base: string;
let ca: Buffer;

beforeAll(async () => {
  pki = createTestPki();
  const pacs = pki.issue('pacs');
  ca = loadCaFile(pki.caFile, 'export.destinations.0.caFile');
  orthanc = await startOrthanc();
  const target = new URL(orthanc.url);
  // An HTTPS front end (as a hospital's reverse proxy would be) that passes every request on to Orthanc.
  front = createHttpsServer({ cert: fs.readFileSync(pacs.certFile), key: fs.readFileSync(pacs.keyFile) }, (req, res) => {
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  base = `https://localhost:${(front.address() as AddressInfo).port}/dicom-web`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => front?.close(resolve));
  await orthanc?.stop();
  pki?.remove();
});

test('STOW-RS over HTTPS with the hospital CA stores the instance', async () => {
  const outcome = await storeByStow({ url: base, ca }, [CT_SMALL.path]);
  expect(outcome.instances).toEqual([expect.objectContaining({ status: 'stored', sopInstanceUid: CT_SMALL.sopInstanceUid })]);
});

test('STOW-RS over HTTPS without the CA fails and says to set caFile', async () => {
  await expect(storeByStow({ url: base }, [CT_SMALL.path])).rejects.toThrow(/STOW-RS to https:\/\/localhost:\d+\/dicom-web\/studies failed: TLS: the server certificate is not signed by a trusted CA: set caFile .*\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
});

test('the poller’s QIDO-RS and WADO-RS over HTTPS with the CA; without it a clear error', async () => {
  const service = createDicomWebService({ url: base, auth: { type: 'none' }, timeoutMs: 10_000, ca });
  const studies = await service.searchStudies({ StudyInstanceUID: CT_SMALL.studyInstanceUid });
  expect(studies).toHaveLength(1);
  const series = await service.searchSeries(CT_SMALL.studyInstanceUid, {});
  const seriesUid = String((series[0]['0020000E'] as { Value: string[] }).Value[0]);
  const instances = await service.retrieveSeries(CT_SMALL.studyInstanceUid, seriesUid);
  expect(instances).toHaveLength(1);

  const untrusted = createDicomWebService({ url: base, auth: { type: 'none' }, timeoutMs: 10_000 });
  await expect(untrusted.searchStudies({})).rejects.toThrow(/QIDO-RS studies: no answer from https:\/\/localhost:\d+\/dicom-web: TLS: the server certificate is not signed by a trusted CA: set caFile/);
});
