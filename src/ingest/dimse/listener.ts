/**
 * The DIMSE ingest service: a TCP listener that gives every connection its own StoreScp (C-ECHO + C-STORE to the
 * spool), shares the limits and statistics between them, and reports {name, status} for health.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'net';
import { Implementation, log as dimseLog } from 'dcmjs-dimse';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../dicom/uid';
import type { InstanceSink } from '../../domain/instance';
import type { Logger } from '../../logging/logger';
import type { Spool } from '../../store/spool';
import { StoreScp, type ListenerStats, type ScpEnvironment } from './store-scp';

export interface DimseListenerOptions {
  aet: string;
  host: string;
  /** 0 picks a free port (see the returned port). */
  port: number;
  /** Calling AE titles allowed to associate; empty allows any. */
  allowedCallingAets: string[];
  maxAssociations: number;
  /** Largest P-DATA-TF PDU we receive (and announce in the A-ASSOCIATE-AC), in bytes. */
  maxPduLength: number;
  /** New associations (and instances) are refused while the spool's file system has less free space. */
  minFreeDiskMb: number;
  spool: Spool;
  sink: InstanceSink;
  logger: Logger;
}

export interface DimseListenerStatus {
  name: 'dimse';
  status: 'up' | 'down';
  aet: string;
  port: number;
  activeAssociations: number;
  instancesReceived: number;
  failures: number;
}

export interface DimseListener {
  port: number;
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

function configureLibrary(): void {
  // dcmjs-dimse logs every PDU to the console by default; our own log lines carry what matters (UIDs, AEs, statuses).
  dimseLog.setLevel('silent');
  Implementation.setImplementationClassUid(IMPLEMENTATION_CLASS_UID);
  Implementation.setImplementationVersion(IMPLEMENTATION_VERSION_NAME);
}

export async function startDimseListener(options: DimseListenerOptions): Promise<DimseListener> {
  if (options.maxAssociations < 1) throw new Error('maxAssociations must be at least 1');
  if (options.maxPduLength < 4096) throw new Error('maxPduLength must be at least 4096 bytes');
  configureLibrary();
  const logger = options.logger;
  const stats: ListenerStats = { instancesReceived: 0, bytesReceived: 0, failures: 0 };
  const associations = new Set<StoreScp>();
  const connections = new Set<Socket>();
  const inFlight = new Set<Promise<unknown>>();
  let up = false;

  const env: ScpEnvironment = {
    policy: {
      aet: options.aet,
      allowedCallingAets: options.allowedCallingAets,
      maxAssociations: options.maxAssociations,
      minFreeDiskMb: options.minFreeDiskMb,
    },
    maxPduLength: options.maxPduLength,
    store: { spool: options.spool, sink: options.sink },
    logger,
    stats,
    activeAssociations: () => associations.size,
    associationOpened: (scp) => associations.add(scp),
    associationClosed: (scp) => associations.delete(scp),
    track: (work) => {
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    },
  };

  const server: Server = createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => undefined); // reported through the SCP's networkError
    new StoreScp(socket, env);
  });
  server.maxConnections = options.maxAssociations + CONNECTION_SLACK;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logger.error('listener error', { reason: err.message }));
  up = true;
  const port = (server.address() as AddressInfo).port;
  logger.info('listening', { aet: options.aet, host: options.host, port, maxAssociations: options.maxAssociations });

  const stop = async (): Promise<void> => {
    if (!up) return;
    up = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Cut every connection first (partial files are discarded), so no new instance completes; then wait until the
    // instances already received are committed and handed to the sink, before the caller closes the store. A peer
    // that misses the response for one of those re-sends it, which the store takes as a no-op.
    for (const socket of connections) socket.destroy();
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    await closed;
    logger.info('stopped', { port });
  };

  return {
    port,
    stop,
    stats,
    status: () => ({
      name: 'dimse',
      status: up ? 'up' : 'down',
      aet: options.aet,
      port,
      activeAssociations: associations.size,
      instancesReceived: stats.instancesReceived,
      failures: stats.failures,
    }),
  };
}
