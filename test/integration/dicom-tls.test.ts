/**
 * DICOM TLS (PS3.15 B.9, BCP 195) both ways against dcmtk built with OpenSSL: storescu/echoscu +tls into the node's
 * TLS port (mutual authentication: a client certificate signed by the trusted CA is required), and the C-STORE SCU
 * export to storescp +tls. Certificates are made by openssl in the test.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import { storeByCStore } from '../../src/export/cstore';
import { findFreePort } from '../../src/net/free-port';
import { loadClientTls, loadServerTls, TlsConfigError } from '../../src/security/tls';
import { AET, runTool, startTestListener, type TestListener } from '../helpers/dimse-listener';
import { createTestPki, type CertificateFiles, type TestPki } from '../helpers/tls-certs';
import { waitForPort } from '../helpers/wait-for-port';
import { CT_SMALL } from '../helpers/reference-files';

let pki: TestPki;
let node: CertificateFiles;
let modality: CertificateFiles;
let rogue: CertificateFiles;

beforeAll(() => {
  pki = createTestPki();
  node = pki.issue('node');
  modality = pki.issue('modality');
  rogue = pki.selfSigned('rogue');
});
afterAll(() => pki.remove());

describe('TLS files are checked at start, naming the key', () => {
  test('missing, not a certificate, a key that does not match, no CA for client certificates', () => {
    const at = 'ingest.dimse.tls';
    const settings = { certFile: node.certFile, keyFile: node.keyFile, caFile: pki.caFile, requireClientCertificate: true };
    expect(loadServerTls(settings, at)).toMatchObject({ requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' });
    expect(() => loadServerTls({ ...settings, certFile: '/nonexistent/node.pem' }, at)).toThrow('ingest.dimse.tls.certFile: cannot read /nonexistent/node.pem (no such file)');
    expect(() => loadServerTls({ ...settings, certFile: node.keyFile }, at)).toThrow(/^ingest\.dimse\.tls\.certFile: .* holds no PEM certificate/);
    expect(() => loadServerTls({ ...settings, keyFile: modality.keyFile }, at)).toThrow(/^ingest\.dimse\.tls\.keyFile: .* is not the private key of the certificate/);
    expect(() => loadServerTls({ ...settings, caFile: null }, at)).toThrow(/^ingest\.dimse\.tls\.caFile: required when requireClientCertificate is true/);
    expect(() => loadClientTls({ certFile: modality.certFile, keyFile: null, caFile: pki.caFile }, 'export.destinations.0.tls')).toThrow(TlsConfigError);
  });
});

describe('the node as TLS SCP (storescu / echoscu +tls)', () => {
  let harness: TestListener;
  let tlsPort: number;

  beforeAll(async () => {
    harness = await startTestListener({
      tls: { enabled: true, port: 0, certFile: node.certFile, keyFile: node.keyFile, caFile: pki.caFile, requireClientCertificate: true, handshakeTimeoutMs: 5000 },
    });
    tlsPort = harness.listener.tlsPort as number;
  });
  afterAll(() => harness.stop());

  const storescu = (tlsArgs: string[]): ReturnType<typeof runTool> =>
    runTool('storescu', ['-aet', 'MODALITY', '-aec', AET, ...tlsArgs, '127.0.0.1', String(tlsPort), CT_SMALL.path]);
  const stored = (): number => harness.sink.instances.filter((i) => i.sopInstanceUid === CT_SMALL.sopInstanceUid).length;

  test('listens on a TLS port beside the plain one', () => {
    expect(tlsPort).toBeGreaterThan(0);
    expect(harness.listener.port).not.toBe(tlsPort);
    expect(harness.listener.status()).toMatchObject({ status: 'up', tlsPort });
  });

  test('echoscu +tls with a certificate signed by the trusted CA is answered', async () => {
    const echo = await runTool('echoscu', ['-aet', 'MODALITY', '-aec', AET, '+tls', modality.keyFile, modality.certFile, '+cf', pki.caFile, '127.0.0.1', String(tlsPort)]);
    expect(echo.output).not.toMatch(/E:/);
    expect(echo.code).toBe(0);
  });

  test('storescu +tls with the trusted client certificate stores the instance', async () => {
    const before = stored();
    const result = await storescu(['+tls', modality.keyFile, modality.certFile, '+cf', pki.caFile]);
    expect(result.code).toBe(0);
    expect(stored()).toBe(before + 1);
  });

  test.each([
    ['without a client certificate (+tla)', () => ['+tla', '+cf', pki.caFile]],
    ['with a self-signed client certificate', () => ['+tls', rogue.keyFile, rogue.certFile, '+cf', pki.caFile]],
    ['over plain TCP', () => []],
  ])('storescu %s fails and stores nothing', async (_what, args) => {
    const before = stored();
    const lines = harness.lines.length;
    const result = await storescu(args());
    expect(result.code).not.toBe(0);
    expect(stored()).toBe(before);
    await new Promise((r) => setTimeout(r, 100)); // the server's tlsClientError may land just after the client gave up
    expect(harness.lines.slice(lines).join('\n')).toMatch(/TLS handshake refused.*"remoteAddress":"(::ffff:)?127\.0\.0\.1"/);
  });

  test('BCP 195: TLS 1.1, static RSA key exchange and CBC are refused; TLS 1.2 with ECDHE + AES-GCM is accepted', async () => {
    const handshake = (options: tls.ConnectionOptions): Promise<string> =>
      new Promise((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port: tlsPort, ca: fs.readFileSync(pki.caFile), cert: fs.readFileSync(modality.certFile), key: fs.readFileSync(modality.keyFile), ...options }, () => {
          resolve(`${socket.getProtocol()} ${socket.getCipher().standardName}`);
          socket.destroy();
        });
        socket.on('error', (err: Error & { code?: string }) => resolve(`refused ${err.code ?? err.message}`));
      });
    expect(await handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).toMatch(/^refused/);
    expect(await handshake({ maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:AES256-GCM-SHA384' })).toMatch(/^refused/);
    expect(await handshake({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA256' })).toMatch(/^refused/);
    expect(await handshake({ maxVersion: 'TLSv1.2' })).toMatch(/^TLSv1\.2 TLS_ECDHE_RSA_WITH_(AES_\d+_GCM_SHA\d+|CHACHA20_POLY1305_SHA256)$/);
    expect(await handshake({})).toMatch(/^TLSv1\.3 /);
  });

  test('a client that does not trust the node (wrong CA) gives up', async () => {
    const before = stored();
    const result = await storescu(['+tls', modality.keyFile, modality.certFile, '+cf', rogue.certFile]);
    expect(result.code).not.toBe(0);
    expect(stored()).toBe(before);
  });

  test('TLS only: plain false opens no plain port', async () => {
    const tlsOnly = await startTestListener({
      plain: false,
      tls: { enabled: true, port: 0, certFile: node.certFile, keyFile: node.keyFile, caFile: pki.caFile, requireClientCertificate: true },
    });
    try {
      expect(tlsOnly.listener.port).toBe(tlsOnly.listener.tlsPort);
      const echo = await runTool('echoscu', ['-aet', 'MODALITY', '-aec', AET, '+tls', modality.keyFile, modality.certFile, '+cf', pki.caFile, '127.0.0.1', String(tlsOnly.listener.tlsPort)]);
      expect(echo.code).toBe(0);
    } finally {
      await tlsOnly.stop();
    }
    await expect(startTestListener({ plain: false })).rejects.toThrow(/no port/);
  });
});

describe('a peer pinned to its certificate (peer registry + TLS)', () => {
  const pinned = (fingerprint: string) =>
    startTestListener({
      plain: false,
      tls: { enabled: true, port: 0, certFile: node.certFile, keyFile: node.keyFile, caFile: pki.caFile, requireClientCertificate: true },
      peers: [{ name: 'modality', aet: 'MODALITY', hosts: ['127.0.0.1'], certificateFingerprint: fingerprint }],
    });
  const store = (port: number) => runTool('storescu', ['-aet', 'MODALITY', '-aec', AET, '+tls', modality.keyFile, modality.certFile, '+cf', pki.caFile, '127.0.0.1', String(port), CT_SMALL.path]);

  test('its own certificate is accepted; another one from the same CA is rejected at association', async () => {
    const right = await pinned(modality.fingerprint256);
    try {
      expect((await store(right.listener.tlsPort as number)).code).toBe(0);
      expect(right.sink.instances).toHaveLength(1);
    } finally {
      await right.stop();
    }
    const wrong = await pinned(node.fingerprint256);
    try {
      expect((await store(wrong.listener.tlsPort as number)).code).not.toBe(0);
      expect(wrong.sink.instances).toHaveLength(0);
      expect(wrong.lines.join('\n')).toMatch(/association rejected.*certificate-mismatch/);
    } finally {
      await wrong.stop();
    }
  });
});

describe('the node exports to storescp +tls (C-STORE SCU over TLS)', () => {
  let storescp: ChildProcess;
  let port: number;
  let received: string;
  let peer: CertificateFiles;

  beforeAll(async () => {
    peer = pki.issue('archive', 'DNS:archive.hospital.lan'); // names no address we connect to
    received = fs.mkdtempSync(path.join(os.tmpdir(), 'storescp-tls-'));
    port = await findFreePort();
    // -rc (dcmtk's default): the SCU must present a certificate signed by a CA in +cf.
    storescp = spawn('storescp', ['-aet', 'ARCHIVE', '+tls', peer.keyFile, peer.certFile, '+cf', pki.caFile, '-rc', '--output-directory', received, String(port)], { stdio: 'ignore' });
    await waitForPort(port, 10_000);
  });
  afterAll(() => {
    storescp.kill('SIGKILL');
    fs.rmSync(received, { recursive: true, force: true });
  });

  const target = (tls: ReturnType<typeof loadClientTls>) => ({ callingAet: 'GASTRIC_AI', calledAet: 'ARCHIVE', host: '127.0.0.1', port, tls });

  test('the archive certificate must name the host, unless verifyServerName is false', async () => {
    const strict = loadClientTls({ certFile: node.certFile, keyFile: node.keyFile, caFile: pki.caFile }, 'export.destinations.0.tls');
    await expect(storeByCStore(target(strict), [CT_SMALL.path])).rejects.toThrow(/TLS: the server certificate does not name this host \(ERR_TLS_CERT_ALTNAME_INVALID\)/);
  });

  test('with our client certificate and the archive CA, the file arrives', async () => {
    const tls = loadClientTls({ certFile: node.certFile, keyFile: node.keyFile, caFile: pki.caFile, verifyServerName: false }, 'export.destinations.0.tls');
    const outcome = await storeByCStore(target(tls), [CT_SMALL.path]);
    expect(outcome.instances).toEqual([expect.objectContaining({ status: 'stored', sopInstanceUid: CT_SMALL.sopInstanceUid })]);
    const files = fs.readdirSync(received);
    expect(files.some((f) => f.includes(CT_SMALL.sopInstanceUid))).toBe(true);
  });

  test('a server certificate from another CA is refused before any data set is sent', async () => {
    const tls = loadClientTls({ certFile: node.certFile, keyFile: node.keyFile, caFile: rogue.certFile, verifyServerName: false }, 'export.destinations.0.tls');
    await expect(storeByCStore(target(tls), [CT_SMALL.path])).rejects.toThrow(/C-STORE to ARCHIVE@127\.0\.0\.1:\d+ failed: TLS: the server certificate is not signed by a trusted CA/);
  });

  test('without our client certificate, the archive refuses the handshake', async () => {
    const tls = loadClientTls({ certFile: null, keyFile: null, caFile: pki.caFile, verifyServerName: false }, 'export.destinations.0.tls');
    await expect(storeByCStore(target(tls), [CT_SMALL.path])).rejects.toThrow(/C-STORE to ARCHIVE@127\.0\.0\.1:\d+ failed: TLS/);
  });
});
