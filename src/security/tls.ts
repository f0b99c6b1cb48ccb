/**
 * TLS for DICOM (PS3.15 Annex B.9, the BCP 195 TLS secure transport connection profile) and HTTPS: the protocol floor
 * and cipher suites every endpoint uses, and the certificate, key and CA files read once at start, each checked so a
 * missing, unreadable or malformed file is reported with the configuration key that names it, not at the first
 * handshake with a remote peer.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'crypto';
import { readFileSync } from 'fs';
import type { ConnectionOptions, PeerCertificate, TlsOptions } from 'tls';

/** BCP 195 (RFC 9325 4.1): TLS 1.2 or later. */
export const TLS_MIN_VERSION = 'TLSv1.2';

/**
 * BCP 195 (RFC 9325 4.2) recommended suites: ephemeral (EC)DHE key exchange for forward secrecy and AEAD ciphers only,
 * so no static RSA key exchange and no CBC. The TLS 1.3 suites (TLS_…) all meet both; Node passes them to OpenSSL
 * apart from the TLS 1.2 list, and without them it would cap connections at TLS 1.2.
 */
export const BCP195_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** A TLS file setting that cannot be used; `key` is its configuration path (e.g. ingest.dimse.tls.certFile). */
export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
  }
}

/** Our certificate and private key, and the CA certificates we trust for the peer (PEM files). */
export interface TlsFiles {
  certFile: string | null;
  keyFile: string | null;
  caFile: string | null;
}

/** `prefix` + '.certFile' etc. name the keys in errors. */
interface Labelled {
  prefix: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readFile(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new TlsConfigError(key, `cannot read ${path} (${why})`);
  }
}

/** Every certificate of a PEM file (a chain or a CA bundle), parsed; at least one. */
function readCertificates(path: string, key: string): { pem: Buffer; certificates: X509Certificate[] } {
  const pem = readFile(path, key);
  const blocks = pem.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new TlsConfigError(key, `${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  const certificates = blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw new TlsConfigError(key, `certificate ${i + 1} in ${path} is not valid (${(err as Error).message})`);
    }
  });
  return { pem, certificates };
}

function readPrivateKey(path: string, key: string): { pem: Buffer; object: KeyObject } {
  const pem = readFile(path, key);
  try {
    return { pem, object: createPrivateKey(pem) };
  } catch (err) {
    const reason = /passphrase|encrypted/i.test((err as Error).message) ? 'the key is encrypted; give an unencrypted PEM key (file mode 0600)' : (err as Error).message;
    throw new TlsConfigError(key, `${path} is not a usable private key (${reason})`);
  }
}

function requireSet(value: string | null | undefined, key: string, why: string): string {
  if (!value) throw new TlsConfigError(key, `required ${why}`);
  return value;
}

/** Our certificate (chain) and its key: both present, readable, matching and valid now. */
function loadIdentity(files: TlsFiles, { prefix }: Labelled, why: string): { cert: Buffer; key: Buffer } {
  const certKey = `${prefix}.certFile`;
  const keyKey = `${prefix}.keyFile`;
  const cert = readCertificates(requireSet(files.certFile, certKey, why), certKey);
  const key = readPrivateKey(requireSet(files.keyFile, keyKey, why), keyKey);
  const leaf = cert.certificates[0];
  if (!leaf.checkPrivateKey(key.object)) throw new TlsConfigError(keyKey, `${files.keyFile} is not the private key of the certificate in ${files.certFile}`);
  const now = Date.now();
  if (Date.parse(leaf.validTo) < now) throw new TlsConfigError(certKey, `the certificate in ${files.certFile} expired on ${leaf.validTo}`);
  if (Date.parse(leaf.validFrom) > now) throw new TlsConfigError(certKey, `the certificate in ${files.certFile} is not valid before ${leaf.validFrom}`);
  return { cert: cert.pem, key: key.pem };
}

/** A PEM file of trusted CA certificates (one or more). */
export function loadCaFile(path: string, key: string): Buffer {
  return readCertificates(path, key).pem;
}

export interface ServerTlsSettings extends TlsFiles {
  /** Refuse a client without a certificate signed by a CA in caFile (mutual authentication). */
  requireClientCertificate: boolean;
}

/**
 * Options for tls.createServer. A client certificate is always asked for, so that one can be matched against a
 * peer's registered fingerprint; with requireClientCertificate (the default) a missing or untrusted one ends the
 * handshake.
 */
export function loadServerTls(settings: ServerTlsSettings, prefix: string): TlsOptions {
  const { cert, key } = loadIdentity(settings, { prefix }, 'when TLS is enabled');
  const ca = settings.requireClientCertificate
    ? loadCaFile(requireSet(settings.caFile, `${prefix}.caFile`, 'when requireClientCertificate is true (the CA that signs the peers’ certificates)'), `${prefix}.caFile`)
    : settings.caFile
      ? loadCaFile(settings.caFile, `${prefix}.caFile`)
      : undefined;
  return {
    cert,
    key,
    ...(ca ? { ca } : {}),
    requestCert: true,
    rejectUnauthorized: settings.requireClientCertificate,
    minVersion: TLS_MIN_VERSION,
    ciphers: BCP195_CIPHERS,
    honorCipherOrder: true,
  };
}

export interface ClientTlsSettings extends TlsFiles {
  /** Check that the server's certificate names the host we connect to (default true). */
  verifyServerName?: boolean;
}

/**
 * Options for tls.connect to a DICOM peer: our certificate for mutual authentication (when given), the server's
 * certificate verified against caFile (required: a peer we cannot verify is not a peer).
 */
export function loadClientTls(settings: ClientTlsSettings, prefix: string): ConnectionOptions {
  const identity = settings.certFile || settings.keyFile ? loadIdentity(settings, { prefix }, 'with its pair (certFile and keyFile go together)') : null;
  const ca = loadCaFile(requireSet(settings.caFile, `${prefix}.caFile`, '(the CA that signed the peer’s certificate)'), `${prefix}.caFile`);
  return {
    ...(identity ?? {}),
    ca,
    rejectUnauthorized: true,
    minVersion: TLS_MIN_VERSION,
    ciphers: BCP195_CIPHERS,
    ...(settings.verifyServerName === false ? { checkServerIdentity: () => undefined } : {}),
  };
}

/** SHA-256 of a peer certificate (DER) as lowercase hex without colons; null without a certificate. */
export function certificateFingerprint(certificate: PeerCertificate | Record<string, never> | null | undefined): string | null {
  const fingerprint = (certificate as Partial<PeerCertificate> | null | undefined)?.fingerprint256;
  return fingerprint ? fingerprint.replace(/:/g, '').toLowerCase() : null;
}

/** Why a TLS connection failed, for an operator: the OpenSSL/Node code plus what to check. */
export function describeTlsError(err: Error & { code?: string }): string {
  const code = err.code ?? '';
  const hints: Record<string, string> = {
    SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate is not signed by a trusted CA: set caFile to the CA that signed it',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed and not trusted: set caFile to the CA that signed it',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate is not signed by a trusted CA: set caFile to the CA that signed it',
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the server certificate is not signed by a trusted CA: set caFile to the CA that signed it',
    CERT_HAS_EXPIRED: 'the server certificate has expired',
    ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate does not name this host',
    ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'the server does not trust our certificate (unknown CA)',
    ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the server refused our certificate',
    ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the server requires a client certificate',
    ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'no common TLS version or cipher suite (BCP 195: TLS 1.2+, ECDHE with AES-GCM or ChaCha20)',
    ERR_SSL_WRONG_VERSION_NUMBER: 'the peer does not speak TLS on this port',
  };
  const hint = hints[code];
  return hint ? `TLS: ${hint} (${code})` : `TLS: ${err.message}`;
}
