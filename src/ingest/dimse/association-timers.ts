/**
 * The timers that free a connection slot from a peer that stops talking. dcmjs-dimse has association and PDU
 * timeouts, but starts them only on client sockets (`connected` is set on "connect", which a server socket never
 * emits), and its 180 s socket inactivity timeout restarts on every byte; so the SCP keeps its own:
 *
 * - ARTIM (PS3.8 9.1.4): from the connection until the A-ASSOCIATE-RQ is complete, and again after we answer with
 *   A-ASSOCIATE-RJ or A-RELEASE-RP (or the peer aborts) until the peer closes. Bytes do not restart it, so a peer
 *   trickling the request a byte at a time is dropped as surely as a silent one.
 * - Idle: while the association is open, the time since the last complete PDU. A PDU is the unit of progress, so
 *   a byte now and then (a huge announced PDU filled a byte at a time) does not keep the slot; the largest PDU we
 *   accept (maxPduLength) must arrive within idleSeconds. It does not run while we owe the peer something: an
 *   answer to its request or a C-STORE response, or while we hold the socket paused because the spool disk is slow.
 */
export interface DimseTimeouts {
  /** ARTIM: seconds from the connection to a complete A-ASSOCIATE-RQ, and from our RJ/RP to the peer's close. */
  associationRequestSeconds: number;
  /** Seconds without a complete PDU on an open association while it is the peer's turn. */
  idleSeconds: number;
}

type Phase = 'awaiting-request' | 'deciding' | 'open' | 'closing' | 'stopped';

export class AssociationTimers {
  private phase: Phase = 'awaiting-request';
  private timer: NodeJS.Timeout | null = null;
  /** Things we owe the peer (responses, paused reading); the idle timer runs only at zero. */
  private owed = 0;

  constructor(
    private readonly timeouts: DimseTimeouts,
    /** Called once when a timer fires; the caller ends the connection. */
    private readonly expired: (why: string) => void,
  ) {
    this.arm(timeouts.associationRequestSeconds, `no A-ASSOCIATE-RQ within ${timeouts.associationRequestSeconds} s (ARTIM)`);
  }

  /** The A-ASSOCIATE-RQ is complete: ARTIM stops, our answer is owed. */
  requestReceived(): void {
    if (this.phase !== 'awaiting-request') return;
    this.phase = 'deciding';
    this.clear();
  }

  /** A-ASSOCIATE-AC sent: the peer's turn. */
  opened(): void {
    if (this.phase !== 'deciding') return;
    this.phase = 'open';
    this.armIdle();
  }

  /** A-ASSOCIATE-RJ or A-RELEASE-RP sent, or the peer aborted: it must close within ARTIM (PS3.8 9.1.4). */
  closing(): void {
    if (this.phase === 'closing' || this.phase === 'stopped') return;
    this.phase = 'closing';
    this.arm(this.timeouts.associationRequestSeconds, `peer did not close within ${this.timeouts.associationRequestSeconds} s after the association ended (ARTIM)`);
  }

  /** A complete PDU arrived. */
  pduReceived(): void {
    if (this.phase === 'open' && this.owed === 0) this.timer?.refresh();
  }

  /** We owe the peer something (a response, or reading a paused socket): the idle timer waits. */
  hold(): void {
    this.owed += 1;
    if (this.phase === 'open') this.clear();
  }

  release(): void {
    if (this.owed === 0) return;
    this.owed -= 1;
    if (this.owed === 0 && this.phase === 'open') this.armIdle();
  }

  stop(): void {
    this.phase = 'stopped';
    this.clear();
  }

  private armIdle(): void {
    if (this.owed === 0) this.arm(this.timeouts.idleSeconds, `no complete PDU for ${this.timeouts.idleSeconds} s (idle timeout)`);
  }

  private arm(seconds: number, why: string): void {
    this.clear();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.phase = 'stopped';
      this.expired(why);
    }, seconds * 1000);
    // A connection's timer must not keep the process alive on its own (stop() destroys every socket anyway).
    this.timer.unref();
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
