/**
 * Timeouts that fire (issue 12): silent connections, accepted associations that go quiet and peers that trickle a
 * byte at a time must not hold the listener's slots. maxAssociations + 8 (the listener's connection slack) silent
 * connections lock out a legitimate echoscu only until ARTIM (associationRequestSeconds) drops them; a peer that
 * keeps completing PDUs stays connected however long the association lasts.
 */
import { connect, type Socket } from 'net';
import { AET, runTool, startTestListener, type TestListener } from '../helpers/dimse-listener';
import { associateRq, outcome, pdu, RawPeer } from '../helpers/raw-dimse-peer';

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
/** The listener accepts this many connections beyond maxAssociations (listener.ts CONNECTION_SLACK). */
const CONNECTION_SLACK = 8;
const MAX_ASSOCIATIONS = 4;
const TIMEOUTS = { associationRequestSeconds: 1, idleSeconds: 2 };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const echo = (h: TestListener): ReturnType<typeof runTool> => runTool('echoscu', ['-aet', 'MODALITY', '-aec', AET, '-to', '5', '127.0.0.1', String(h.listener.port)]);

/** A TCP connection that says nothing; `closed` resolves with the time the listener ended it. */
function silentConnection(port: number): Promise<{ socket: Socket; opened: number; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve({ socket, opened: Date.now(), closed }));
    const closed = new Promise<number>((done) => socket.on('close', () => done(Date.now())));
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

const dropReasons = (h: TestListener): string[] => h.lines.map((l) => JSON.parse(l) as { msg: string; reason?: string }).filter((l) => l.msg === 'association dropped').map((l) => l.reason ?? '');

describe('DIMSE timeouts', () => {
  let h: TestListener;
  beforeEach(async () => {
    h = await startTestListener({ maxAssociations: MAX_ASSOCIATIONS, timeouts: TIMEOUTS });
  });
  afterEach(async () => {
    await h.stop();
  });

  test('maxAssociations + 8 silent connections lock echoscu out only until ARTIM drops them', async () => {
    const silent = await Promise.all(Array.from({ length: MAX_ASSOCIATIONS + CONNECTION_SLACK }, () => silentConnection(h.listener.port)));
    // The lock is real: every slot is taken, so the OS-level limit turns the next connection away.
    const locked = await echo(h);
    expect(locked.code).not.toBe(0);
    const closedAt = await Promise.all(silent.map((s) => s.closed));
    for (const [i, at] of closedAt.entries()) {
      const heldMs = at - silent[i].opened;
      expect(heldMs).toBeGreaterThanOrEqual(TIMEOUTS.associationRequestSeconds * 1000 - 50);
      expect(heldMs).toBeLessThan(TIMEOUTS.associationRequestSeconds * 1000 + 1500);
    }
    const after = await echo(h);
    expect(after.code).toBe(0);
    expect(dropReasons(h).filter((r) => r.includes('ARTIM')).length).toBe(MAX_ASSOCIATIONS + CONNECTION_SLACK);
  });

  test('accepted associations that go silent are dropped after idleSeconds, and the slots come back', async () => {
    const quiet = await Promise.all(Array.from({ length: MAX_ASSOCIATIONS }, () => RawPeer.connect(h.listener.port)));
    for (const peer of quiet) expect(outcome(await peer.associate('MODALITY', [{ id: 1, abstract: VERIFICATION, syntaxes: [IMPLICIT_LE] }]))).toBe('accepted');
    const started = Date.now();
    expect(h.listener.status().activeAssociations).toBe(MAX_ASSOCIATIONS);
    // Full: a legitimate association is turned away (transient) while the quiet ones hold every slot.
    expect((await echo(h)).output).toMatch(/Local Limit Exceeded/i);
    for (const peer of quiet) expect(await peer.next()).toBeNull();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUTS.idleSeconds * 1000 - 100);
    expect(elapsed).toBeLessThan(TIMEOUTS.idleSeconds * 1000 + 1500);
    for (let i = 0; i < 50 && h.listener.status().activeAssociations > 0; i++) await sleep(20);
    expect(h.listener.status().activeAssociations).toBe(0);
    expect((await echo(h)).code).toBe(0);
    const lines = h.lines.filter((l) => l.includes('idle timeout'));
    expect(lines.length).toBe(MAX_ASSOCIATIONS);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ peer: 'modality', callingAet: 'MODALITY', remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  });

  test('a request trickled one byte every 300 ms is dropped at ARTIM; bytes do not extend it', async () => {
    const request = associateRq('MODALITY', AET, [{ id: 1, abstract: VERIFICATION, syntaxes: [IMPLICIT_LE] }]);
    const { socket, opened, closed } = await silentConnection(h.listener.port);
    let sent = 0;
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write(request.subarray(sent, ++sent));
    }, 300);
    try {
      const heldMs = (await closed) - opened;
      expect(heldMs).toBeLessThan(TIMEOUTS.associationRequestSeconds * 1000 + 1000);
      expect(sent).toBeLessThan(request.length);
    } finally {
      clearInterval(trickle);
    }
    expect(dropReasons(h)).toEqual([expect.stringContaining('no A-ASSOCIATE-RQ within 1 s')]);
  });

  test('an accepted association trickling one byte every 300 ms into a PDU is dropped after idleSeconds', async () => {
    const peer = await RawPeer.connect(h.listener.port);
    expect(outcome(await peer.associate('MODALITY', [{ id: 1, abstract: VERIFICATION, syntaxes: [IMPLICIT_LE] }]))).toBe('accepted');
    const started = Date.now();
    // A P-DATA-TF announcing 16000 bytes, fed a byte at a time: bytes keep arriving, the PDU never completes.
    const announced = pdu(0x04, Buffer.alloc(16000)).subarray(0, 6);
    let sent = 0;
    const trickle = setInterval(() => {
      if (!peer.socket.destroyed) peer.socket.write(sent < 6 ? announced.subarray(sent, sent + 1) : Buffer.from([0]));
      sent += 1;
    }, 300);
    try {
      expect(await peer.next()).toBeNull();
    } finally {
      clearInterval(trickle);
    }
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUTS.idleSeconds * 1000 - 100);
    expect(elapsed).toBeLessThan(TIMEOUTS.idleSeconds * 1000 + 1500);
    expect(sent).toBeGreaterThan(4);
    expect(dropReasons(h)).toEqual([expect.stringContaining('idle timeout')]);
    expect((await echo(h)).code).toBe(0);
  });

  test('a peer that keeps completing PDUs stays connected past idleSeconds', async () => {
    const peer = await RawPeer.connect(h.listener.port);
    expect(outcome(await peer.associate('MODALITY', [{ id: 1, abstract: VERIFICATION, syntaxes: [IMPLICIT_LE] }]))).toBe('accepted');
    // Three C-ECHOs 1.2 s apart: 3.6 s in all, well past idleSeconds, but never idleSeconds without a PDU.
    for (let i = 1; i <= 3; i++) {
      await sleep(1200);
      expect(await peer.echo(1, i)).toBe(0);
    }
    await peer.release();
    expect(dropReasons(h)).toEqual([]);
  });

  test('rejected peers that never close their side hold slots only until ARTIM', async () => {
    // allowHalfOpen: each peer reads our A-ASSOCIATE-RJ and FIN but keeps its own side open, so the listener's
    // socket stays counted against its connection limit until ARTIM (PS3.8 9.1.4) closes it.
    const held = await Promise.all(
      Array.from({ length: MAX_ASSOCIATIONS + CONNECTION_SLACK }, async () => {
        const socket = connect({ port: h.listener.port, host: '127.0.0.1', allowHalfOpen: true });
        socket.on('error', () => undefined);
        await new Promise((r) => socket.once('connect', r));
        const answer = new Promise<Buffer>((r) => socket.once('data', r));
        const ended = new Promise<void>((r) => socket.once('end', r));
        socket.write(associateRq('INTRUDER', AET, [{ id: 1, abstract: VERIFICATION, syntaxes: [IMPLICIT_LE] }]));
        expect(outcome(await answer)).toBe('rejected result=1 source=1 reason=3');
        await ended;
        return socket;
      }),
    );
    try {
      expect((await echo(h)).code).not.toBe(0);
      await sleep(TIMEOUTS.associationRequestSeconds * 1000 + 300);
      expect((await echo(h)).code).toBe(0);
      expect(dropReasons(h).filter((r) => r.includes('did not close')).length).toBe(MAX_ASSOCIATIONS + CONNECTION_SLACK);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });
});
