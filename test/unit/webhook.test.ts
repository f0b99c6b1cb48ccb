/** The urgent-study webhook against real HTTP receivers on free loopback ports (node:http). */
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { createWebhookNotifier, WebhookStudy } from '../../src/notify/webhook';
import { deterministicUid } from '../../src/dicom/uid';
import { findFreePort } from '../../src/net/free-port';
import { createLogger } from '../../src/logging/logger';

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** A receiver whose nth request (0-based) is answered by `answer(n, res)`; not answering at all makes it hang. */
async function startReceiver(answer: (n: number, res: ServerResponse) => void): Promise<Receiver> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(received.length - 1, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/urgent?token=s3cret`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const STUDY: WebhookStudy = {
  studyInstanceUid: deterministicUid('webhook-test', 'study'),
  priority: 'urgent',
  cancerProbability: 0.91,
  stage: { estimate: 'III', distribution: [0.05, 0.15, 0.6, 0.2] },
};

function capturingLogger(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }) };
}

describe('createWebhookNotifier', () => {
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  const receiver = async (answer: (n: number, res: ServerResponse) => void) => {
    const r = await startReceiver(answer);
    receivers.push(r);
    return r;
  };

  it('POSTs exactly the urgent-study event as JSON, with no patient fields, and logs the receiver by origin only', async () => {
    const r = await receiver((_n, res) => res.writeHead(204).end());
    const { lines, logger } = capturingLogger();
    const outcome = await createWebhookNotifier({ url: r.url, logger }).notify(STUDY);

    expect(outcome).toEqual({ delivered: true, attempts: 1 });
    expect(r.received).toHaveLength(1);
    const [req] = r.received;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/hooks/urgent?token=s3cret');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({
      event: 'urgent-study',
      studyInstanceUid: STUDY.studyInstanceUid,
      priority: 'urgent',
      cancerProbability: 0.91,
      stage: 'III',
      notForClinicalUse: true,
    });
    expect(lines.join('\n')).not.toContain('s3cret');
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({ msg: 'webhook delivered', receiver: new URL(r.url).origin });
  });

  it('retries a receiver that fails, then succeeds', async () => {
    const r = await receiver((n, res) => (n < 2 ? res.writeHead(503).end('busy') : res.writeHead(200).end('ok')));
    const { lines, logger } = capturingLogger();
    const outcome = await createWebhookNotifier({ url: r.url, logger, backoffMs: 20, maxAttempts: 4 }).notify(STUDY);

    expect(outcome).toEqual({ delivered: true, attempts: 3 });
    expect(r.received).toHaveLength(3);
    // Every attempt sends the same event.
    expect(new Set(r.received.map((q) => q.body)).size).toBe(1);
    const failures = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'webhook attempt failed');
    expect(failures.map((f) => [f.attempt, f.error, f.willRetry])).toEqual([
      [1, 'HTTP 503', true],
      [2, 'HTTP 503', true],
    ]);
  });

  it('gives up on a receiver that hangs after a timeout per attempt and bounded attempts, without throwing', async () => {
    const r = await receiver(() => undefined);
    const { lines, logger } = capturingLogger();
    const started = Date.now();
    const outcome = await createWebhookNotifier({ url: r.url, logger, timeoutMs: 200, maxAttempts: 2, backoffMs: 10 }).notify(STUDY);
    const elapsed = Date.now() - started;

    expect(outcome).toEqual({ delivered: false, attempts: 2, error: 'no answer within 200 ms' });
    expect(r.received).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(3000);
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({ level: 'error', msg: 'webhook not delivered', attempts: 2 });
  });

  it('does not retry a client error the receiver will repeat', async () => {
    const r = await receiver((_n, res) => res.writeHead(400).end('bad'));
    const outcome = await createWebhookNotifier({ url: r.url, logger: capturingLogger().logger, backoffMs: 10 }).notify(STUDY);
    expect(outcome).toEqual({ delivered: false, attempts: 1, error: 'HTTP 400' });
    expect(r.received).toHaveLength(1);
  });

  it('retries when nothing listens and resolves with the failure', async () => {
    const port = await findFreePort();
    const outcome = await createWebhookNotifier({ url: `http://127.0.0.1:${port}/x`, logger: capturingLogger().logger, maxAttempts: 2, backoffMs: 10 }).notify(STUDY);
    expect(outcome.delivered).toBe(false);
    expect(outcome.attempts).toBe(2);
    expect(outcome.error).toMatch(/ECONNREFUSED/);
  });

  it('sends nothing for a study that is not urgent', async () => {
    const r = await receiver((_n, res) => res.writeHead(204).end());
    const outcome = await createWebhookNotifier({ url: r.url, logger: capturingLogger().logger }).notify({ ...STUDY, priority: 'suspicious' });
    expect(outcome).toEqual({ delivered: false, attempts: 0 });
    expect(r.received).toHaveLength(0);
  });

  it('never rejects, even when the fetch it was given throws synchronously', async () => {
    const throwing = (() => {
      throw new TypeError('broken client');
    }) as unknown as typeof fetch;
    const notifier = createWebhookNotifier({ url: 'http://127.0.0.1:9/x', logger: capturingLogger().logger, fetch: throwing, maxAttempts: 2, backoffMs: 1 });
    await expect(notifier.notify(STUDY)).resolves.toEqual({ delivered: false, attempts: 2, error: 'broken client' });
  });
});
