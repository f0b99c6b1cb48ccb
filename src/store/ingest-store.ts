/**
 * The one entry point for every committed instance, whatever protocol brought it (the design notes: "both ingest
 * paths feed the same store"). Index row, study bookkeeping and the withdrawal of obsolete jobs commit in one
 * transaction, so a crash never leaves an instance counted without its row or a study re-opened with a stale job
 * still queued.
 *
 * Status on arrival:
 * - receiving: the quiet period slides (last_received_at moves on).
 * - queued (analysis not started): the queued job is withdrawn, the study goes back to receiving, same revision.
 * - analysing, exporting, done, skipped, failed: revision + 1 and back to receiving, so the study is analysed again
 *   with every instance and its results replaced; queued jobs of the old revision are withdrawn, and a running one
 *   can no longer change the study (status writes are revision-guarded).
 */
import { InstanceSink, ReceivedInstance } from '../domain/instance';
import { Logger, silentLogger } from '../logging/logger';
import { Transactor } from './database';
import { InstanceRepository } from './instance-repository';
import { JobRepository } from './job-repository';
import { StoredStudy, StudyRepository } from './study-repository';

export interface IngestStoreOptions {
  studies: StudyRepository;
  instances: InstanceRepository;
  jobs: JobRepository;
  transactor: Transactor;
  now?: () => Date;
  logger?: Logger;
}

export class IngestStore implements InstanceSink {
  private readonly now: () => Date;
  private readonly logger: Logger;

  constructor(private readonly options: IngestStoreOptions) {
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? silentLogger;
  }

  async accept(instance: ReceivedInstance): Promise<void> {
    this.record(instance);
  }

  /** Records one instance and returns its study as it now stands. */
  record(instance: ReceivedInstance): StoredStudy {
    const { studies, instances, jobs, transactor } = this.options;
    const uid = instance.studyInstanceUid;
    return transactor.run(() => {
      const previous = instances.get(instance.sopInstanceUid);
      let study = studies.get(uid);
      if (previous && previous.studyInstanceUid === uid && study && study.status !== 'receiving') {
        // A resend of an instance the study already has (PACS retries, "forward on update" rules): the file is
        // replaced, but the study is not re-opened, or a PACS that echoes studies would keep them in a loop.
        instances.upsert(instance);
        this.logger.debug('instance resent: study not re-opened', { studyInstanceUid: uid, sopInstanceUid: instance.sopInstanceUid });
        return study;
      }
      if (!study) {
        studies.create({ ...instance });
        study = studies.get(uid) as StoredStudy;
      }
      instances.upsert(instance);
      if (previous && previous.studyInstanceUid !== uid) {
        // Same SOP Instance UID filed under another study (a PACS split/merge): keep the old study's counts true.
        const old = previous.studyInstanceUid;
        studies.setContents({ studyInstanceUid: old, instanceCount: instances.countByStudy(old), modalities: instances.modalitiesOfStudy(old) });
      }

      let revision = study.revision;
      if (study.status !== 'receiving') {
        const withdrawn = jobs.supersedeQueued(uid, `superseded: new instances arrived while the study was ${study.status}`, this.now());
        if (study.status !== 'queued') revision += 1;
        this.logger.info('study re-opened by new instances', {
          studyInstanceUid: uid,
          was: study.status,
          revision,
          withdrawnJobs: withdrawn.length,
        });
      }
      studies.recordArrival({
        studyInstanceUid: uid,
        source: instance.source,
        callingAet: instance.callingAet,
        sourceUrl: instance.sourceUrl,
        receivedAt: instance.receivedAt,
        instanceCount: instances.countByStudy(uid),
        modalities: instances.modalitiesOfStudy(uid),
        status: 'receiving',
        revision,
      });
      return studies.get(uid) as StoredStudy;
    });
  }
}
