/**
 * Starts the API on a host and port (0: the OS picks a free one), over HTTPS when a certificate is given, and stops
 * it without leaving sockets open.
 */
import { createServer, Server } from 'http';
import { createServer as createHttpsServer } from 'https';
import type { AddressInfo } from 'net';
import type { Express } from 'express';
import { loadServerTls } from '../security/tls';

export interface ApiServer {
  url: string;
  port: number;
  /** Stops accepting, lets requests in flight finish for up to `graceMs` (default 2 s), then closes what is left. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

export interface ApiListenOptions {
  host: string;
  port: number;
  /** api.tls: PEM certificate (chain) and key files; null or absent: plain HTTP. */
  tls?: { certFile: string; keyFile: string } | null;
}

export async function startApi(app: Express, options: ApiListenOptions): Promise<ApiServer> {
  const tls = options.tls ? loadServerTls({ certFile: options.tls.certFile, keyFile: options.tls.keyFile, caFile: null, requireClientCertificate: false }, 'api.tls') : null;
  // TLS 1.2+ with BCP 195 suites (src/security/tls.ts); no client certificate is asked for (a browser would prompt).
  const server: Server = tls ? createHttpsServer({ ...tls, requestCert: false }, app) : createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  // An IPv6 literal goes in brackets in a URL (RFC 3986 3.2.2).
  const host = address.includes(':') ? `[${address}]` : address;
  let stopping: Promise<void> | undefined;
  return {
    url: `${tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    stop: ({ graceMs = 2000 } = {}) => {
      stopping ??= new Promise<void>((resolve, reject) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close((err) => {
          clearTimeout(force);
          if (err) reject(err);
          else resolve();
        });
        // Keep-alive connections with no request in flight would otherwise hold close() open.
        server.closeIdleConnections();
      });
      return stopping;
    },
  };
}
