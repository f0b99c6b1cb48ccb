/**
 * Test certificates made by the real openssl: a CA, certificates it signs (for 127.0.0.1 / localhost, usable as
 * TLS server and client), and a self-signed certificate no test trusts. RSA 2048 keys, PEM files in a temp directory.
 */
import { execFileSync } from 'child_process';
import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
  /** SHA-256 of the certificate (DER), lowercase hex without colons. */
  fingerprint256: string;
}

export interface TestPki {
  dir: string;
  /** The test CA's certificate: the trust anchor to give as caFile / +cf. */
  caFile: string;
  /** A certificate signed by the test CA (SAN DNS:localhost, IP:127.0.0.1 unless given; serverAuth + clientAuth). */
  issue(name: string, subjectAltName?: string): CertificateFiles;
  /** A self-signed certificate, not signed by the test CA. */
  selfSigned(name: string): CertificateFiles;
  /** Removes the directory. */
  remove(): void;
}

const openssl = (args: string[], cwd: string): void => {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
};

const extensions = (subjectAltName: string): string =>
  [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature, keyEncipherment',
    'extendedKeyUsage = serverAuth, clientAuth',
    `subjectAltName = ${subjectAltName}`,
  ].join('\n');

function fingerprint(certFile: string): string {
  return new X509Certificate(fs.readFileSync(certFile)).fingerprint256.replace(/:/g, '').toLowerCase();
}

export function createTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-certs-'));
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=gastric-ai test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
  const files = (name: string): CertificateFiles => {
    const certFile = path.join(dir, `${name}.pem`);
    const keyFile = path.join(dir, `${name}.key`);
    fs.chmodSync(keyFile, 0o600);
    return { certFile, keyFile, fingerprint256: fingerprint(certFile) };
  };
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    issue: (name, subjectAltName = 'DNS:localhost, IP:127.0.0.1') => {
      fs.writeFileSync(path.join(dir, `${name}.ext`), `${extensions(subjectAltName)}\n`);
      openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
      openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`], dir);
      return files(name);
    },
    selfSigned: (name) => {
      openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`,
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-addext', 'extendedKeyUsage=serverAuth,clientAuth'], dir);
      return files(name);
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
