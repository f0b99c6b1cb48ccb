/**
 * The connection to the audit repository: UDP (RFC 5426), TCP (RFC 6587 octet counting) or TLS (RFC 5425, mutual
 * authentication with our certificate and the repository's CA). One connection is kept open and reused; any error
 * closes it and the caller retries later (the messages wait in the spool).
 */
import { createSocket, type Socket as UdpSocket } from 'dgram';
import { isIPv6 } from 'net';
import { connect as tcpConnect, type Socket } from 'net';
import { connect as tlsConnect, type ConnectionOptions } from 'tls';
import { octetCounted } from './syslog';

export interface AuditTransport {
  /** Sends one syslog message; rejects when it could not be handed to the network. */
  send(message: Buffer): Promise<void>;
  close(): void;
}

export interface TransportSettings {
  transport: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
  /** For tls: options from src/security/tls.ts loadClientTls. */
  tls?: ConnectionOptions;
  connectTimeoutMs?: number;
}

function udpTransport(s: TransportSettings): AuditTransport {
  let socket: UdpSocket | null = null;
  return {
    send: (message) =>
      new Promise((resolve, reject) => {
        if (!socket) {
          socket = createSocket(isIPv6(s.host) ? 'udp6' : 'udp4');
          socket.on('error', () => {
            socket?.close();
            socket = null;
          });
          socket.unref();
        }
        socket.send(message, s.port, s.host, (err) => (err ? reject(err) : resolve()));
      }),
    close: () => {
      socket?.close();
      socket = null;
    },
  };
}

function streamTransport(s: TransportSettings): AuditTransport {
  let socket: Socket | null = null;
  let connecting: Promise<Socket> | null = null;
  const drop = (sock: Socket): void => {
    if (socket === sock) socket = null;
    sock.destroy();
  };
  const open = (): Promise<Socket> => {
    if (socket && !socket.destroyed) return Promise.resolve(socket);
    if (connecting) return connecting;
    connecting = new Promise<Socket>((resolve, reject) => {
      const sock =
        s.transport === 'tls'
          ? tlsConnect({ ...s.tls, host: s.host, port: s.port, servername: /^[\d.:]+$/.test(s.host) ? undefined : s.host })
          : tcpConnect({ host: s.host, port: s.port });
      const timer = setTimeout(() => sock.destroy(new Error(`connect timeout to ${s.host}:${s.port}`)), s.connectTimeoutMs ?? 5000);
      sock.once(s.transport === 'tls' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        sock.on('error', () => drop(sock));
        sock.on('close', () => drop(sock));
        // The repository sends nothing back; reading keeps a peer's close visible.
        sock.on('data', () => undefined);
        sock.unref();
        socket = sock;
        resolve(sock);
      });
      sock.once('error', (err) => {
        clearTimeout(timer);
        sock.destroy();
        reject(err);
      });
    }).finally(() => {
      connecting = null;
    });
    return connecting;
  };
  return {
    send: async (message) => {
      const sock = await open();
      await new Promise<void>((resolve, reject) => {
        sock.write(octetCounted(message), (err) => {
          if (err) {
            drop(sock);
            reject(err);
          } else resolve();
        });
      });
    },
    close: () => {
      if (socket) socket.end();
      socket = null;
    },
  };
}

export function createTransport(settings: TransportSettings): AuditTransport {
  return settings.transport === 'udp' ? udpTransport(settings) : streamTransport(settings);
}
