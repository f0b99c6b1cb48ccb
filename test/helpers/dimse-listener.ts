/**
 * A real DIMSE listener for the integration tests: loopback, a free port, a spool in a fresh temp directory, every
 * log line captured, and a sink that collects what the listener hands on.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { InstanceSink, ReceivedInstance } from '../../src/domain/instance';
import { startDimseListener, type DimseListener, type DimseListenerOptions } from '../../src/ingest/dimse/listener';
import { createLogger } from '../../src/logging/logger';
import { Spool } from '../../src/store/spool';

/** The called AE title the test listener answers to. */
export const AET = 'GASTRIC_AI';

/** The registered sender of the test listener by default: the dcmtk tools and RawPeer, calling as MODALITY from loopback. */
export const TEST_PEER = { name: 'modality', aet: 'MODALITY', hosts: ['127.0.0.1'] };

/** A real InstanceSink that keeps every received instance in memory, in arrival order. */
export class CollectingSink implements InstanceSink {
  readonly instances: ReceivedInstance[] = [];
  async accept(instance: ReceivedInstance): Promise<void> {
    this.instances.push(instance);
  }
}

export interface TestListener {
  listener: DimseListener;
  spool: Spool;
  sink: CollectingSink;
  /** Every JSON log line the listener wrote (debug level and up). */
  lines: string[];
  /** The temp directory holding the spool; tests may put their own files here. Removed by stop(). */
  root: string;
  /** Stops the listener and removes `root`. */
  stop(): Promise<void>;
}

export async function startTestListener(overrides: Partial<DimseListenerOptions> = {}): Promise<TestListener> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dimse-listener-'));
  const spool = new Spool(path.join(root, 'spool'));
  const sink = new CollectingSink();
  const lines: string[] = [];
  const listener = await startDimseListener({
    aet: AET,
    host: '127.0.0.1',
    port: 0,
    peers: [TEST_PEER],
    acceptUnknownPeers: false,
    timeouts: { associationRequestSeconds: 10, idleSeconds: 60 },
    maxAssociations: 4,
    maxPduLength: 65536,
    minFreeDiskMb: 1,
    spool,
    sink,
    logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }),
    ...overrides,
  });
  return {
    listener,
    spool,
    sink,
    lines,
    root,
    stop: async () => {
      await listener.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Runs a dcmtk tool (storescu, echoscu, ...) to completion: exit code and stdout + stderr. */
export function runTool(tool: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
