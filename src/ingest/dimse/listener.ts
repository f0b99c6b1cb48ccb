/**
 * The DIMSE ingest service: a TCP and/or DICOM TLS listener that gives every connection its own StoreScp (C-ECHO +
 * spool), shares the limits and statistics between them, and reports {name, status} for health.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'net';
import { createServer as createTlsServer, type TLSSocket } from 'tls';
import { Implementation, log as dimseLog } from 'dcmjs-dimse';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../dicom/uid';
import type { InstanceSink } from '../../domain/instance';
import type { Logger } from '../../logging/logger';
import { loadServerTls, type ServerTlsSettings } from '../../security/tls';
import type { Spool } from '../../store/spool';
import type { DimseTimeouts } from './association-timers';
import type { DimseEventHooks } from './events';
import { PeerRegistry, type DicomPeer, type PeerRegistryOptions } from './peers';
import { StoreScp, type ListenerStats, type ScpEnvironment } from './store-scp';

/** The audit hooks (onAssociation, onInstanceStored) are optional members: see events.ts. */
export interface DimseListenerOptions extends DimseEventHooks {
  aet: string;
  host: string;
  /** 0 picks a free port (see the returned port). */
  port: number;
  /** Listen on `port` without TLS (default true); false: DICOM TLS only. */
  plain?: boolean;
  /** The DICOM TLS port (PS3.15 B.9), beside the plain one or instead of it (ingest.dimse.tls); absent: none. */
  tls?: DimseTlsSettings;
  /** The sources that may store to us (peers.ts); others are rejected unless acceptUnknownPeers. */
  peers: readonly DicomPeer[];
  /** Let AE titles not in `peers` associate from any address (registered titles stay bound to their hosts). */
  acceptUnknownPeers: boolean;
  timeouts: DimseTimeouts;
  /** Host name resolution of the peers' hosts (tests shorten the intervals). */
  peerResolution?: Omit<PeerRegistryOptions, 'logger'>;
  maxAssociations: number;
  /** Largest P-DATA-TF PDU we receive (and announce in the A-ASSOCIATE-AC), in bytes. */
  maxPduLength: number;
  /** New associations (and instances) are refused while the spool's file system has less free space. */
  minFreeDiskMb: number;
  spool: Spool;
  sink: InstanceSink;
  logger: Logger;
}

/** ingest.dimse.tls: files are read when the listener starts; an error names the key. */
export interface DimseTlsSettings extends ServerTlsSettings {
  enabled: boolean;
  /** 0 picks a free port (see the returned tlsPort). */
  port: number;
  /** A connection that has not finished the TLS handshake by then is dropped (default 30 s). */
  handshakeTimeoutMs?: number;
}

export interface DimseListenerStatus {
  name: 'dimse';
  status: 'up' | 'down';
  aet: string;
  port: number;
  tlsPort: number | null;
  activeAssociations: number;
  instancesReceived: number;
  failures: number;
}

export interface DimseListener {
  /** The plain TCP port; the TLS port when only TLS listens. */
  port: number;
  /** The DICOM TLS port, null when TLS is off. */
  tlsPort: number | null;
  stop(): Promise<void>;
  status(): DimseListenerStatus;
  /** Live counters; bytesReceived counts every C-STORE data set byte, stored or refused. */
  stats: ListenerStats;
}

/**
 * Connections beyond the association limit are still accepted long enough to receive a proper A-ASSOCIATE-RJ
 * (transient, local limit exceeded) instead of a reset; past this slack the OS refuses them.
 */
const CONNECTION_SLACK = 8;
const TLS_HANDSHAKE_TIMEOUT_MS = 30_000;

function configureLibrary(): void {
  // dcmjs-dimse logs every PDU to the console by default; our own log lines carry what matters (UIDs, AEs, statuses).
  dimseLog.setLevel('silent');
  Implementation.setImplementationClassUid(IMPLEMENTATION_CLASS_UID);
  Implementation.setImplementationVersion(IMPLEMENTATION_VERSION_NAME);
}

export async function startDimseListener(options: DimseListenerOptions): Promise<DimseListener> {
  if (options.maxAssociations < 1) throw new Error('maxAssociations must be at least 1');
  if (options.maxPduLength < 4096) throw new Error('maxPduLength must be at least 4096 bytes');
  const plain = options.plain ?? true;
  const tls = options.tls?.enabled ? options.tls : null;
  if (!plain && !tls) throw new Error('ingest.dimse: plain is false and tls is not enabled: the listener would have no port');
  // Read the certificate files before anything listens: a bad file stops the start with its config key.
  const tlsOptions = tls ? loadServerTls(tls, 'ingest.dimse.tls') : null;
  configureLibrary();
  const logger = options.logger;
  const stats: ListenerStats = { instancesReceived: 0, bytesReceived: 0, failures: 0 };
  const associations = new Set<StoreScp>();
  const connections = new Set<Socket>();
  const inFlight = new Set<Promise<unknown>>();
  let up = false;

  const peers = new PeerRegistry(options.peers, { ...options.peerResolution, logger });
  await peers.start();

  const env: ScpEnvironment = {
    policy: {
      aet: options.aet,
      acceptUnknownPeers: options.acceptUnknownPeers,
      maxAssociations: options.maxAssociations,
      minFreeDiskMb: options.minFreeDiskMb,
    },
    peers,
    timeouts: options.timeouts,
    maxPduLength: options.maxPduLength,
    store: { spool: options.spool, sink: options.sink },
    logger,
    stats,
    activeAssociations: () => associations.size,
    peerAssociations: (name) => [...associations].filter((scp) => scp.peerName === name).length,
    associationOpened: (scp) => associations.add(scp),
    associationClosed: (scp) => associations.delete(scp),
    track: (work) => {
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    },
    events: { onAssociation: options.onAssociation, onInstanceStored: options.onInstanceStored, onAssociationClosed: options.onAssociationClosed },
  };

  const accept = (socket: Socket): void => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => undefined); // reported through the SCP's networkError
    new StoreScp(socket, env);
  };
  const servers: Server[] = [];
  const listen = async (server: Server, port: number): Promise<number> => {
    server.maxConnections = options.maxAssociations + CONNECTION_SLACK;
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => logger.error('listener error', { reason: err.message }));
    return (server.address() as AddressInfo).port;
  };

  let plainPort: number | null = null;
  let tlsPort: number | null = null;
  try {
    if (plain) plainPort = await listen(createServer(accept), options.port);
    if (tls && tlsOptions) {
      const server = createTlsServer({ ...tlsOptions, handshakeTimeout: tls.handshakeTimeoutMs ?? TLS_HANDSHAKE_TIMEOUT_MS });
      // Sockets still in the handshake are tracked too, so stop() cuts them. Their address is read now: a peer
      // that resets during the handshake has none left when tlsClientError comes.
      const peersOf = new WeakMap<Socket, { remoteAddress: string; remotePort: number }>();
      server.on('connection', (raw: Socket) => {
        connections.add(raw);
        peersOf.set(raw, { remoteAddress: raw.remoteAddress ?? '', remotePort: raw.remotePort ?? 0 });
        raw.on('close', () => connections.delete(raw));
      });
      server.on('secureConnection', (socket: TLSSocket) => accept(socket));
      // No certificate, an untrusted one, plain DICOM on this port, no common cipher: the handshake fails, no PDU is read.
      server.on('tlsClientError', (err: Error & { code?: string }, socket: TLSSocket) => {
        const raw = (socket as unknown as { _parent?: Socket })._parent; // the TCP socket under a server-side TLSSocket
        const peer = (raw && peersOf.get(raw)) ?? { remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 };
        const reason = err.code ?? err.message;
        logger.warn('TLS handshake refused', { ...peer, reason });
        try {
          options.onTlsRefused?.({ ...peer, reason });
        } catch (hookError) {
          logger.warn('audit hook failed', { ...peer, hook: 'onTlsRefused', reason: (hookError as Error).message });
        }
      });
      tlsPort = await listen(server, tls.port);
    }
  } catch (err) {
    peers.stop();
    for (const server of servers) server.close();
    throw err;
  }
  up = true;
  const port = (plainPort ?? tlsPort) as number;
  logger.info('listening', { aet: options.aet, host: options.host, port: plainPort, tlsPort, requireClientCertificate: tls?.requireClientCertificate, maxAssociations: options.maxAssociations, peers: options.peers.map((p) => p.name), acceptUnknownPeers: options.acceptUnknownPeers });

  const stop = async (): Promise<void> => {
    if (!up) return;
    up = false;
    peers.stop();
    const closed = Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    // Cut every connection first (partial files are discarded), so no new instance completes; then wait until the
    // instances already received are committed and handed to the sink, before the caller closes the store. A peer
    // that misses the response for one of those re-sends it, which the store takes as a no-op.
    for (const socket of connections) socket.destroy();
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    await closed;
    logger.info('stopped', { port: plainPort, tlsPort });
  };

  return {
    port,
    tlsPort,
    stop,
    stats,
    status: () => ({
      name: 'dimse',
      status: up ? 'up' : 'down',
      aet: options.aet,
      port,
      tlsPort,
      activeAssociations: associations.size,
      instancesReceived: stats.instancesReceived,
      failures: stats.failures,
    }),
  };
}
