/**
 * One DICOM association on one socket: negotiation (peer registry, limits, free disk), C-ECHO, and C-STORE streamed
 * to the spool, under the ARTIM and idle timers. dcmjs-dimse's Scp calls one method per event; every override answers
 * and never throws, because the library ignores returned promises and an escaped error would leave the peer waiting
 * for a response. Every log line names the peer's address and registry name.
 */
import type { Socket } from 'net';
import { TLSSocket } from 'tls';
import { constants, Dataset, responses, Scp } from 'dcmjs-dimse';
import type { association as dimseAssociation, requests } from 'dcmjs-dimse';
import type { LogFields, Logger } from '../../logging/logger';
import { formatEndpoint } from '../../security/cidr';
import { AssociationTimers, type DimseTimeouts } from './association-timers';
import { freeDiskMb } from './disk-space';
import type { ConnectionFacts, DimseEventHooks } from './events';
import { encodeFileMeta } from './file-meta';
import { IncomingInstanceFile, type IncomingFileResult } from './incoming-file';
import { decideAssociation, negotiateContext, type AssociationPolicy } from './negotiation';
import { PduLengthGuard } from './pdu-guard';
import type { PeerRegistry } from './peers';
import { StoreFailure, StoreStatus, storeInstance, type StoreContext } from './store-instance';

type Association = dimseAssociation.Association;
type PresentationContext = dimseAssociation.PresentationContext;
type CStoreRequest = requests.CStoreRequest;
type CEchoRequest = requests.CEchoRequest;

export interface ListenerStats {
  instancesReceived: number;
  bytesReceived: number;
  failures: number;
}

/** Shared by every association of one listener. */
export interface ScpEnvironment {
  policy: AssociationPolicy;
  peers: PeerRegistry;
  timeouts: DimseTimeouts;
  maxPduLength: number;
  store: Omit<StoreContext, 'datasetOffset'>;
  logger: Logger;
  stats: ListenerStats;
  /** Accepted associations still open (the concurrency limit counts these). */
  activeAssociations(): number;
  /** Accepted associations of one registered peer still open. */
  peerAssociations(peerName: string): number;
  associationOpened(scp: StoreScp): void;
  associationClosed(scp: StoreScp): void;
  /** Work in flight (C-STORE commits) so stop() can wait for it. */
  track(work: Promise<unknown>): void;
  /** Audit trail hooks; they must not throw (a throw is logged and ignored). */
  events: DimseEventHooks;
}

/** Header bytes kept in memory per instance: enough for the attributes before Pixel Data of nearly every image. */
const HEADER_PREFIX_BYTES = 256 * 1024;

interface PendingStore {
  file: IncomingInstanceFile;
  datasetOffset: number;
  transferSyntaxUid: string;
  /** Set when the store was refused before any byte was written (wrong context, low disk, no spool file). */
  refusal: StoreFailure | null;
}

const hex = (status: number): string => `0x${status.toString(16).padStart(4, '0')}`;

/** SHA-256 of the TLS client certificate (Node's `fingerprint256`, `AB:CD:…`), null on plain TCP or without one. */
function clientCertificateFingerprint(socket: Socket): string | null {
  if (!(socket instanceof TLSSocket)) return null;
  return socket.getPeerCertificate()?.fingerprint256 || null;
}

export class StoreScp extends Scp {
  private accepted = false;
  private callingAet = '';
  private calledAet = '';
  private peer: string | null = null;
  private readonly pending = new WeakMap<CStoreRequest, PendingStore>();
  private readonly open = new Set<IncomingInstanceFile>();
  private readonly log: Logger;
  private readonly timers: AssociationTimers;
  /** Kept from the start: a closed socket no longer knows its peer's address. */
  private readonly remoteAddress: string;
  private readonly remotePort: number;
  private readonly transport: 'tcp' | 'tls';

  constructor(
    private readonly socket: Socket,
    private readonly env: ScpEnvironment,
  ) {
    super(socket, {});
    this.log = env.logger;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.transport = socket instanceof TLSSocket ? 'tls' : 'tcp';
    // dcmjs-dimse arms a 180 s inactivity timeout that any byte restarts; our timers replace it (association-timers.ts).
    socket.setTimeout(0);
    this.timers = new AssociationTimers(env.timeouts, (why) => this.drop(`timeout: ${why}`));
    // Small command PDUs (responses) must not wait for Nagle's algorithm.
    socket.setNoDelay(true);
    const guard = new PduLengthGuard(env.maxPduLength);
    socket.prependListener('data', (data: Buffer) => {
      const before = guard.completed;
      const violation = guard.check(data);
      if (violation) this.drop(`PDU too long: ${violation}`);
      else if (guard.completed > before) this.timers.pduReceived();
    });
    this.on('networkError', (err: Error) => this.drop(`network error: ${err.message}`));
    socket.on('close', () => this.closed());
  }

  /** The registry name of the peer, once identified (null: an unknown peer, or not asked yet). */
  get peerName(): string | null {
    return this.peer;
  }

  override associationRequested(association: Association): void {
    this.timers.requestReceived();
    this.callingAet = association.getCallingAeTitle().trim();
    this.calledAet = association.getCalledAeTitle().trim();
    this.negotiate(association).catch((err: Error) => this.drop(`negotiation failed: ${err.message}`));
  }

  private async negotiate(association: Association): Promise<void> {
    // May wait for a host name lookup (a registered AE title from an address not known yet): see peers.ts.
    const identity = await this.env.peers.identifyFresh(this.callingAet, this.remoteAddress);
    if (this.socket.destroyed) return;
    const identified = identity.kind === 'registered' ? identity.peer.name : null;
    const decision = decideAssociation(
      {
        callingAet: this.callingAet,
        calledAet: this.calledAet,
        identity,
        certificateFingerprint: clientCertificateFingerprint(this.socket),
        activeAssociations: this.env.activeAssociations(),
        peerAssociations: identified ? this.env.peerAssociations(identified) : 0,
        freeDiskMb: freeDiskMb(this.env.store.spool.root),
      },
      this.env.policy,
    );
    this.peer = decision.peer?.name ?? null;
    if (!decision.accept) {
      const claimedBy = identity.kind === 'unregistered-address' ? identity.candidates.map((p) => p.name) : undefined;
      this.log.warn('association rejected', { ...this.context(), calledAet: this.calledAet, reason: decision.why, registeredFor: claimedBy });
      this.notify('onAssociation', { ...this.facts(), outcome: 'rejected', reason: decision.why });
      this.sendAssociationReject(decision.result, decision.source, decision.reason);
      // PS3.8 9.1.3: the requestor closes the connection; ending our side too frees the slot if it does not, and
      // ARTIM destroys the socket if the peer never closes its side.
      this.socket.end();
      this.timers.closing();
      return;
    }
    for (const { id } of association.getPresentationContexts()) {
      const context = association.getPresentationContext(id);
      const result = negotiateContext(context.getAbstractSyntaxUid(), context.getTransferSyntaxUids());
      if (result.accept) context.setResult(constants.PresentationContextResult.Accept, result.transferSyntaxUid);
      else if (result.reason === 'abstract-syntax-not-supported') context.setResult(constants.PresentationContextResult.RejectAbstractSyntaxNotSupported);
      else context.setResult(constants.PresentationContextResult.RejectTransferSyntaxesNotSupported);
    }
    // The AC announces what we can receive; dcmjs-dimse also sends with this limit, so never above the peer's (0 = none).
    const peerMax = association.getMaxPduLength();
    association.setMaxPduLength(peerMax > 0 ? Math.min(peerMax, this.env.maxPduLength) : this.env.maxPduLength);
    this.accepted = true;
    this.env.associationOpened(this);
    this.log.info('association accepted', { ...this.context(), contexts: association.getPresentationContexts().length });
    this.notify('onAssociation', { ...this.facts(), outcome: 'accepted' });
    this.sendAssociationAccept();
    this.timers.opened();
  }

  override associationReleaseRequested(): void {
    this.sendAssociationReleaseResponse();
    this.timers.closing();
  }

  override cEchoRequest(request: CEchoRequest, callback: (response: responses.CEchoResponse) => void): void {
    const response = responses.CEchoResponse.fromRequest(request);
    response.setStatus(constants.Status.Success);
    callback(response);
  }

  override createStoreWritableStream(context: PresentationContext, request: CStoreRequest): IncomingInstanceFile {
    const transferSyntaxUid = context.getAcceptedTransferSyntaxUid() ?? '';
    const meta = encodeFileMeta({
      sopClassUid: request.getAffectedSopClassUid(),
      sopInstanceUid: request.getAffectedSopInstanceUid(),
      transferSyntaxUid,
      sourceAeTitle: this.callingAet,
    });
    // Low disk or a file that cannot be created: keep reading the data set off the wire (the peer is sending it)
    // but store nothing, and answer "out of resources" once it is complete (PS3.4 B.2.3, A7xx).
    let refusal: StoreFailure | null = null;
    let path: string | null = null;
    if (context.getAbstractSyntaxUid() !== request.getAffectedSopClassUid()) {
      refusal = new StoreFailure(StoreStatus.SopClassNotSupported, 'SOP Class differs from the presentation context');
    } else if (freeDiskMb(this.env.store.spool.root) < this.env.policy.minFreeDiskMb) {
      refusal = new StoreFailure(StoreStatus.OutOfResources, 'free disk below the configured minimum');
    } else {
      path = this.env.store.spool.incomingPath();
    }
    // While the spool disk makes us pause reading, the silence is ours: the idle timer waits.
    const flow = {
      pause: () => {
        this.socket.pause();
        this.timers.hold();
      },
      resume: () => {
        this.socket.resume();
        this.timers.release();
      },
    };
    let file: IncomingInstanceFile;
    try {
      file = new IncomingInstanceFile({ path, meta, prefixLimit: HEADER_PREFIX_BYTES, flow });
    } catch (err) {
      refusal = new StoreFailure(StoreStatus.OutOfResources, `cannot create the spool file: ${(err as NodeJS.ErrnoException).code ?? 'I/O error'}`);
      file = new IncomingInstanceFile({ path: null, meta, prefixLimit: 0, flow });
    }
    this.open.add(file);
    this.pending.set(request, { file, datasetOffset: meta.length, transferSyntaxUid, refusal });
    return file;
  }

  override createDatasetFromStoreWritableStream(_writable: unknown, _context: PresentationContext, callback: (dataset: Dataset) => void): void {
    // The data set stays on disk; cStoreRequest reads only its header from the spooled file.
    callback(new Dataset());
  }

  override cStoreRequest(request: CStoreRequest, callback: (response: responses.CStoreResponse) => void): void {
    // The response is ours to send: committing a large instance must not count as the peer being idle.
    this.timers.hold();
    const work = this.handleStore(request).then((status) => {
      this.timers.release();
      if (this.socket.destroyed) return;
      const response = responses.CStoreResponse.fromRequest(request);
      response.setStatus(status);
      callback(response);
    });
    this.env.track(work);
  }

  override abort(source: number, reason: number): void {
    this.log.warn('association aborted by peer', { ...this.context(), source, reason });
    this.socket.end();
    this.timers.closing();
    this.discardOpenFiles();
  }

  /** Ends the association at once (timeout, protocol violation). */
  drop(why: string): void {
    if (this.socket.destroyed) return;
    this.log.warn('association dropped', { ...this.context(), reason: why });
    this.timers.stop();
    this.socket.destroy();
  }

  /** Who is on the other end, for every log line: address, registry name, AE titles once known. */
  private context(): LogFields {
    return {
      remote: formatEndpoint(this.remoteAddress, this.remotePort),
      peer: this.peerName,
      callingAet: this.callingAet || undefined,
      transport: this.transport,
    };
  }

  private facts(): ConnectionFacts {
    return { callingAet: this.callingAet, calledAet: this.calledAet, peerName: this.peerName, remoteAddress: this.remoteAddress, remotePort: this.remotePort, transport: this.transport };
  }

  /** Calls an audit hook; a failing hook is logged and must not disturb the association. */
  private notify<K extends keyof DimseEventHooks>(hook: K, event: Parameters<NonNullable<DimseEventHooks[K]>>[0]): void {
    const fn = this.env.events[hook] as ((e: typeof event) => void) | undefined;
    if (!fn) return;
    try {
      fn(event);
    } catch (err) {
      this.log.warn('audit hook failed', { ...this.context(), hook, reason: (err as Error).message });
    }
  }

  private async handleStore(request: CStoreRequest): Promise<number> {
    const sopInstanceUid = request.getAffectedSopInstanceUid();
    const sopClassUid = request.getAffectedSopClassUid();
    const pending = this.pending.get(request);
    if (!pending) return StoreStatus.ProcessingFailure;
    let completed: IncomingFileResult | null = null;
    try {
      completed = await pending.file.completed();
      this.env.stats.bytesReceived += completed.datasetBytes;
      if (pending.refusal) throw pending.refusal;
      const instance = await storeInstance(
        completed,
        { affectedSopClassUid: sopClassUid, affectedSopInstanceUid: sopInstanceUid, transferSyntaxUid: pending.transferSyntaxUid, callingAet: this.callingAet },
        { ...this.env.store, datasetOffset: pending.datasetOffset },
      );
      this.env.stats.instancesReceived += 1;
      this.log.info('instance stored', {
        ...this.context(),
        studyInstanceUid: instance.studyInstanceUid,
        seriesInstanceUid: instance.seriesInstanceUid,
        sopInstanceUid: instance.sopInstanceUid,
        sopClassUid: instance.sopClassUid,
        transferSyntaxUid: instance.transferSyntaxUid,
        bytes: instance.sizeBytes,
      });
      this.notify('onInstanceStored', { ...this.facts(), instance });
      return StoreStatus.Success;
    } catch (err) {
      const failure = err instanceof StoreFailure ? err : new StoreFailure(StoreStatus.ProcessingFailure, (err as Error).message);
      this.env.stats.failures += 1;
      pending.file.discard();
      this.log.warn('instance refused', { ...this.context(), sopInstanceUid, sopClassUid, status: hex(failure.status), reason: failure.message });
      return failure.status;
    } finally {
      this.open.delete(pending.file);
    }
  }

  private discardOpenFiles(): void {
    // Only files still receiving: a complete one is being committed or refused by handleStore, which removes it.
    for (const file of this.open) if (!file.isFinished) file.discard();
  }

  private closed(): void {
    this.timers.stop();
    this.discardOpenFiles();
    if (this.accepted) {
      this.accepted = false;
      this.env.associationClosed(this);
      this.notify('onAssociationClosed', this.facts());
    }
  }
}
