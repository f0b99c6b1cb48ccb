/** Starts the API on a host and port (0: the OS picks a free one) and stops it without leaving sockets open. */
import { createServer, Server } from 'http';
import type { AddressInfo } from 'net';
import type { Express } from 'express';

export interface ApiServer {
  url: string;
  port: number;
  /** Stops accepting, lets requests in flight finish for up to `graceMs` (default 2 s), then closes what is left. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

export interface ApiListenOptions {
  host: string;
  port: number;
}

export async function startApi(app: Express, options: ApiListenOptions): Promise<ApiServer> {
  const server: Server = createServer(app);
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
    url: `http://${host}:${port}`,
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
