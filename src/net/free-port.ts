import { createServer, type AddressInfo } from 'node:net';

/**
 * Asks the OS for a free TCP port: listens on port 0, reads the port, closes the server.
 * There is a small window in which another process may take the port; callers that spawn servers on it
 * should be ready to retry.
 */
export function findFreePort(host: string = '127.0.0.1'): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close((err?: Error) => (err ? reject(err) : resolve(port)));
    });
  });
}
