/**
 * DICOM TLS with a real Orthanc 1.10 (DicomTlsEnabled, Orthanc's dcmtk TLS layer): Orthanc stores a study into the
 * node's TLS port as modality "gastric-ai" with UseDicomTls, the node checks Orthanc's client certificate against the
 * trusted CA and the fingerprint pinned in the peer registry; and the node exports to Orthanc's TLS-only DICOM port.
 */
import { storeByCStore } from '../../src/export/cstore';
import { loadClientTls } from '../../src/security/tls';
import { AET, startTestListener, type TestListener } from '../helpers/dimse-listener';
import { startOrthanc, uploadFile, type OrthancProcess } from '../helpers/orthanc';
import { createTestPki, type CertificateFiles, type TestPki } from '../helpers/tls-certs';
import { CT_SMALL, MR_SMALL_PATH } from '../helpers/reference-files';

let pki: TestPki;
let nodeCert: CertificateFiles;
let orthancCert: CertificateFiles;
let node: TestListener;
let orthanc: OrthancProcess;

beforeAll(async () => {
  pki = createTestPki();
  nodeCert = pki.issue('node');
  orthancCert = pki.issue('orthanc');
  node = await startTestListener({
    plain: false,
    tls: { enabled: true, port: 0, certFile: nodeCert.certFile, keyFile: nodeCert.keyFile, caFile: pki.caFile, requireClientCertificate: true },
    peers: [{ name: 'pacs', aet: 'ORTHANC', hosts: ['127.0.0.1'], certificateFingerprint: orthancCert.fingerprint256 }],
  });
  orthanc = await startOrthanc({
    aet: 'ORTHANC',
    dicomTls: { certificateFile: orthancCert.certFile, privateKeyFile: orthancCert.keyFile, trustedCertificatesFile: pki.caFile },
    forwardTo: { aet: AET, host: '127.0.0.1', port: node.listener.tlsPort as number, useDicomTls: true },
  });
}, 60_000);

afterAll(async () => {
  await orthanc?.stop();
  await node?.stop();
  pki?.remove();
});

test('Orthanc (DicomTlsEnabled, UseDicomTls) stores into the node over TLS with its pinned certificate', async () => {
  const uploaded = await uploadFile(orthanc, CT_SMALL.path);
  const response = await fetch(`${orthanc.url}/modalities/gastric-ai/store`, {
    method: 'POST',
    body: JSON.stringify({ Resources: [uploaded.ID], Synchronous: true }),
  });
  const text = await response.text();
  expect({ status: response.status, text, log: response.ok ? '' : orthanc.log() }).toMatchObject({ status: 200 });
  expect(node.sink.instances.map((i) => i.sopInstanceUid)).toContain(CT_SMALL.sopInstanceUid);
  expect(node.lines.join('\n')).toMatch(/"msg":"association accepted"/);
});

test('the node exports to Orthanc’s TLS-only DICOM port with its client certificate', async () => {
  const tls = loadClientTls({ certFile: nodeCert.certFile, keyFile: nodeCert.keyFile, caFile: pki.caFile }, 'export.destinations.0.tls');
  const outcome = await storeByCStore({ callingAet: 'GASTRIC_AI', calledAet: 'ORTHANC', host: '127.0.0.1', port: orthanc.dicomPort, tls }, [MR_SMALL_PATH]);
  expect(outcome.instances).toEqual([expect.objectContaining({ status: 'stored' })]);
  const found = await fetch(`${orthanc.url}/tools/find`, { method: 'POST', body: JSON.stringify({ Level: 'Instance', Query: { SOPInstanceUID: outcome.instances[0].sopInstanceUid } }) });
  expect(((await found.json()) as string[]).length).toBe(1);
});

test('plain TCP to Orthanc’s TLS port fails', async () => {
  await expect(storeByCStore({ callingAet: 'GASTRIC_AI', calledAet: 'ORTHANC', host: '127.0.0.1', port: orthanc.dicomPort, associationTimeoutMs: 5000 }, [MR_SMALL_PATH])).rejects.toThrow(/C-STORE to ORTHANC@/);
});
