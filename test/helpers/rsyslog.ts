/**
 * A real syslog receiver for the audit tests: Debian rsyslogd started in the foreground with its own configuration,
 * work directory and pid file in a temp directory (the system syslog is not touched), listening on free ports for
 * UDP, TCP and (with certificates) TLS with mutual authentication (ossl driver, x509/certvalid), and writing every
 * message it receives raw, one a line, to a file.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import { connect } from 'net';
import * as os from 'os';
import * as path from 'path';
import { findFreePort } from '../../src/net/free-port';

export interface RsyslogTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface Rsyslog {
  udpPort: number;
  tcpPort: number;
  /** 0 without TLS. */
  tlsPort: number;
  /** The raw messages received so far (RFC 5424 text, BOM included). */
  messages(): string[];
  /** Waits until at least `count` messages arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<string[]>;
  stop(): Promise<void>;
  /** Starts it again on the same ports and output file. */
  restart(): Promise<void>;
  dir: string;
}

export interface RsyslogOptions {
  tls?: RsyslogTls;
  /** Fixed ports (e.g. to start the receiver after a sender was configured for them). */
  ports?: { udp: number; tcp: number; tls: number };
}

function config(dir: string, out: string, ports: { udp: number; tcp: number; tls: number }, tls?: RsyslogTls): string {
  return [
    `global(workDirectory="${dir}" maxMessageSize="256k"${tls ? ` defaultNetstreamDriverCAFile="${tls.caFile}" defaultNetstreamDriverCertFile="${tls.certFile}" defaultNetstreamDriverKeyFile="${tls.keyFile}"` : ''})`,
    'module(load="imudp")',
    'module(load="imtcp" maxSessions="50")',
    'template(name="raw" type="string" string="%rawmsg%\\n")',
    'ruleset(name="audit") { action(type="omfile" file="' + out + '" template="raw" flushOnTXEnd="on" asyncWriting="off") }',
    `input(type="imudp" address="127.0.0.1" port="${ports.udp}" ruleset="audit")`,
    `input(type="imtcp" address="127.0.0.1" port="${ports.tcp}" ruleset="audit")`,
    tls ? `input(type="imtcp" address="127.0.0.1" port="${ports.tls}" ruleset="audit" streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="x509/certvalid")` : '',
    '',
  ].join('\n');
}

const canConnect = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

export async function startRsyslog(options: RsyslogOptions = {}): Promise<Rsyslog> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsyslog-'));
  const out = path.join(dir, 'received.log');
  const ports = options.ports ?? { udp: await findFreePort(), tcp: await findFreePort(), tls: options.tls ? await findFreePort() : 0 };
  const confFile = path.join(dir, 'rsyslog.conf');
  fs.writeFileSync(confFile, config(dir, out, ports, options.tls));
  let child: ChildProcess | null = null;
  let stderr = '';

  const start = async (): Promise<void> => {
    stderr = '';
    const proc = spawn('rsyslogd', ['-n', '-f', confFile, '-i', path.join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child = proc;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`rsyslogd exited (${proc.exitCode}): ${stderr}`);
      if ((await canConnect(ports.tcp)) && (!options.tls || (await canConnect(ports.tls)))) return;
      if (Date.now() > deadline) throw new Error(`rsyslogd did not listen on ${ports.tcp}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 3000).unref();
    });
  };
  const messages = (): string[] => (fs.existsSync(out) ? fs.readFileSync(out, 'utf8').split('\n').filter((l) => l !== '') : []);

  await start();
  return {
    udpPort: ports.udp,
    tcpPort: ports.tcp,
    tlsPort: ports.tls,
    dir,
    messages,
    waitFor: async (count, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (messages().length < count) {
        if (Date.now() > deadline) throw new Error(`rsyslog received ${messages().length} of ${count} messages; rsyslogd said: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return messages();
    },
    stop: async () => {
      await stop();
    },
    restart: start,
  };
}

/** Stops it and removes its directory. */
export async function removeRsyslog(r: Rsyslog | undefined): Promise<void> {
  if (!r) return;
  await r.stop();
  fs.rmSync(r.dir, { recursive: true, force: true });
}
