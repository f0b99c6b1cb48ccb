/**
 * One DICOM association on one socket: negotiation (AE allow-list, limits, free disk), C-ECHO, and C-STORE streamed
 * to the spool. dcmjs-dimse's Scp calls one method per event; every override answers and never throws, because the
 * library ignores returned promises and an escaped error would leave the peer waiting for a response.
 */
import type { Socket } from 'net';
import { constants, Dataset, responses, Scp } from 'dcmjs-dimse';
import type { association as dimseAssociation, requests } from 'dcmjs-dimse';
import type { Logger } from '../../logging/logger';
import { freeDiskMb } from './disk-space';
import { encodeFileMeta } from './file-meta';
import { IncomingInstanceFile, type IncomingFileResult } from './incoming-file';
import { decideAssociation, negotiateContext, type AssociationPolicy } from './negotiation';
import { PduLengthGuard } from './pdu-guard';
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
  maxPduLength: number;
  store: Omit<StoreContext, 'datasetOffset'>;
  logger: Logger;
  stats: ListenerStats;
  /** Accepted associations still open (the concurrency limit counts these). */
  activeAssociations(): number;
  associationOpened(scp: StoreScp): void;
  associationClosed(scp: StoreScp): void;
  /** Work in flight (C-STORE commits) so stop() can wait for it. */
  track(work: Promise<unknown>): void;
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

export class StoreScp extends Scp {
  private accepted = false;
  private callingAet = '';
  private readonly pending = new WeakMap<CStoreRequest, PendingStore>();
  private readonly open = new Set<IncomingInstanceFile>();
  private readonly log: Logger;

  constructor(
    private readonly socket: Socket,
    private readonly env: ScpEnvironment,
  ) {
    super(socket, { associationTimeout: 60_000, pduTimeout: 60_000 });
    this.log = env.logger;
    // Small command PDUs (responses) must not wait for Nagle's algorithm.
    socket.setNoDelay(true);
    const guard = new PduLengthGuard(env.maxPduLength);
    socket.prependListener('data', (data: Buffer) => {
      const violation = guard.check(data);
      if (violation) this.drop(`PDU too long: ${violation}`);
    });
    this.on('networkError', (err: Error) => this.drop(`network error: ${err.message}`));
    socket.on('close', () => this.closed());
  }

  override associationRequested(association: Association): void {
    this.callingAet = association.getCallingAeTitle().trim();
    const decision = decideAssociation(
      {
        callingAet: this.callingAet,
        calledAet: association.getCalledAeTitle(),
        activeAssociations: this.env.activeAssociations(),
        freeDiskMb: freeDiskMb(this.env.store.spool.root),
      },
      this.env.policy,
    );
    if (!decision.accept) {
      this.log.warn('association rejected', { callingAet: this.callingAet, calledAet: association.getCalledAeTitle().trim(), reason: decision.why });
      this.sendAssociationReject(decision.result, decision.source, decision.reason);
      // PS3.8 9.1.3: the requestor closes the connection; ending our side too frees the slot if it does not.
      this.socket.end();
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
    this.log.info('association accepted', { callingAet: this.callingAet, contexts: association.getPresentationContexts().length });
    this.sendAssociationAccept();
  }

  override associationReleaseRequested(): void {
    this.sendAssociationReleaseResponse();
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
    const flow = { pause: () => this.socket.pause(), resume: () => this.socket.resume() };
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
    const work = this.handleStore(request).then((status) => {
      if (this.socket.destroyed) return;
      const response = responses.CStoreResponse.fromRequest(request);
      response.setStatus(status);
      callback(response);
    });
    this.env.track(work);
  }

  override abort(source: number, reason: number): void {
    this.log.warn('association aborted by peer', { callingAet: this.callingAet, source, reason });
    this.socket.end();
    this.discardOpenFiles();
  }

  /** Ends the association at once (listener stop, protocol violation). */
  drop(why: string): void {
    if (this.socket.destroyed) return;
    this.log.warn('association dropped', { callingAet: this.callingAet, reason: why });
    this.socket.destroy();
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
        studyInstanceUid: instance.studyInstanceUid,
        seriesInstanceUid: instance.seriesInstanceUid,
        sopInstanceUid: instance.sopInstanceUid,
        sopClassUid: instance.sopClassUid,
        transferSyntaxUid: instance.transferSyntaxUid,
        callingAet: this.callingAet,
        bytes: instance.sizeBytes,
      });
      return StoreStatus.Success;
    } catch (err) {
      const failure = err instanceof StoreFailure ? err : new StoreFailure(StoreStatus.ProcessingFailure, (err as Error).message);
      this.env.stats.failures += 1;
      pending.file.discard();
      this.log.warn('instance refused', { sopInstanceUid, sopClassUid, callingAet: this.callingAet, status: hex(failure.status), reason: failure.message });
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
    this.discardOpenFiles();
    if (this.accepted) {
      this.accepted = false;
      this.env.associationClosed(this);
    }
  }
}
