/**
 * The composition root: builds every component from the configuration and starts them in data-flow order
 * (store → models → pipeline → ingest → API); stop() reverses it. Nothing else wires components together.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { createApp } from '../api/app';
import { ensureAdminToken } from '../api/auth/admin-token';
import { createAuthenticator } from '../api/auth/authenticator';
import type { AuthenticationHook } from '../api/auth/middleware';
import { ComponentHealth } from '../api/deps';
import { startApi } from '../api/server';
import { createAuditTrail } from '../audit';
import { createWebhookNotifier } from '../notify/webhook';
import { NodeConfig } from '../config/schema';
import { createDicomWebPoller, createKeyValuePollerState, DicomWebPoller } from '../ingest/dicomweb';
import { DimseListener, startDimseListener } from '../ingest/dimse/listener';
import { createIngestSink } from '../ingest/sink';
import { Logger } from '../logging/logger';
import { createNodeMetrics } from '../metrics/node-metrics';
import { runAnalyzeJob } from '../pipeline/analyze-job';
import { retryFailedStudy } from '../pipeline/retry-study';
import { StudyAssembler } from '../pipeline/assembler';
import { exporterFor } from '../pipeline/destinations';
import { runExportJob } from '../pipeline/export-job';
import { isResultSeries } from '../domain/result-series';
import { createRouter } from '../pipeline/routing';
import { isUnrecoverable, JobQueue, JobRunner } from '../pipeline/queue';
import { backoffPolicyFromConfig } from '../pipeline/backoff';
import { Spool } from '../store/spool';
import { createSqliteStore, NodeStore } from '../store/sqlite-store';
import { createAuditBridge } from './audit-bridge';
import { loadModels } from './models';
import { nodeEvents } from './events';
import { pipelineStore } from './pipeline-store';

export interface StartNodeOptions {
  /** Model folders in the config are relative to this (the repository or image root). */
  baseDir: string;
  logger: Logger;
  now?: () => Date;
  /** How often the assembler looks for quiet studies (default 1 s). */
  assemblerIntervalMs?: number;
  /** Each API authentication outcome, besides the audit trail. */
  onApiAuthentication?: AuthenticationHook;
  /** Where the configuration came from (loadConfig's sources), for the audit trail's Configuration event. */
  configSources?: string[];
}

export interface RunningNode {
  apiUrl: string;
  /** <dataDir>/api-admin-token when no API credential is configured (the node wrote or reused it), else null. */
  adminTokenFile: string | null;
  dimsePort: number | null;
  store: NodeStore;
  poller: DicomWebPoller | null;
  stop(): Promise<void>;
}

export async function startNode(config: NodeConfig, options: StartNodeOptions): Promise<RunningNode> {
  const { logger } = options;
  const now = options.now ?? (() => new Date());
  const dataDir = path.resolve(config.node.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const spool = new Spool(path.join(dataDir, 'spool'));
  const cleared = spool.clearIncoming();
  if (cleared > 0) logger.warn('removed partial files left by an earlier run', { files: cleared });
  const store = createSqliteStore({ path: path.join(dataDir, 'node.sqlite'), now, logger: logger.child('store') });
  const stops: Array<() => Promise<void> | void> = [() => store.close()];
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => (stopping ??= stopAll());
  const stopAll = async (): Promise<void> => {
    for (const s of [...stops].reverse()) {
      try {
        await s();
      } catch (err) {
        logger.error('stop failed', { error: (err as Error).message });
      }
    }
  };

  try {
    // First up, last down: every other component's events can be audited, and what is still gathering is sent.
    const trail = createAuditTrail(config.audit, { dataDir, aet: config.node.aet, logger, now });
    const audit = createAuditBridge(trail, { destinations: config.export.destinations, dicomwebUrl: config.ingest.dicomweb.url });
    stops.push(async () => {
      audit.flush();
      trail.record({ type: 'application-stop' });
      await trail.stop();
    });

    const metrics = createNodeMetrics();
    const queue = new JobQueue({
      jobs: store.jobs,
      studies: store.studies,
      transactor: store.transactor,
      backoff: backoffPolicyFromConfig(config.queue),
      maxAttempts: config.queue.maxAttempts,
      now,
      logger: logger.child('queue'),
    });
    metrics.setQueueDepthSource(() => queue.metrics().byState);
    const recovered = queue.recoverInterrupted();
    if (recovered.resumed.length || recovered.dead.length)
      logger.warn('jobs interrupted by a stop were recovered', { resumed: recovered.resumed.length, dead: recovered.dead.length });

    const models = await loadModels({ models: config.inference.models, baseDir: options.baseDir, engine: config.inference.engine, threads: config.inference.threads, testTimeAugmentation: config.inference.testTimeAugmentation, logger: logger.child('models') });
    stops.push(() => models.dispose());

    const webhook = config.api.webhookUrl ? createWebhookNotifier({ url: config.api.webhookUrl, secret: config.api.webhookSecret, logger: logger.child('webhook') }) : null;
    const events = nodeEvents(metrics, webhook, {
      exported: (study, destination) => audit.exported(study, destination, store.results.listByStudy(study.studyInstanceUid), 'success'),
      exportFailed: (study, destination, error) => audit.exported(study, destination, store.results.listByStudy(study.studyInstanceUid), 'serious-failure', error),
    });
    const pstore = pipelineStore(store, now);
    const route = createRouter(config.routing.rules);
    const exporters = exporterFor({ target: config.export.target, destinations: config.export.destinations, nodeAet: config.node.aet, pollerAuth: config.ingest.dicomweb.auth, pollerCaFile: config.ingest.dicomweb.caFile });

    const runner = new JobRunner({
      queue,
      concurrency: config.queue.concurrency,
      logger: logger.child('jobs'),
      handlers: {
        analyze: (job) =>
          timed(metrics, job, () =>
            runAnalyzeJob(job, {
              store: pstore,
              jobs: {
                enqueueExport: (studyInstanceUid, revision) => {
                  queue.enqueue({ kind: 'export', studyInstanceUid, revision, maxAttempts: config.export.maxAttempts });
                  runner.wake();
                },
              },
              route,
              model: (id) => models.get(id),
              batchSize: config.inference.batchSize,
              triage: config.triage,
              results: config.results,
              resultsDir: path.join(dataDir, 'results'),
              events,
              logger: logger.child('analyze'),
              now,
            }),
          ),
        export: (job) => timed(metrics, job, () => runExportJob(job, { store: pstore, exporterFor: exporters, events, logger: logger.child('export') })),
      },
    });
    runner.start();
    stops.push(() => runner.stop());

    const assembler = new StudyAssembler({
      studies: store.studies,
      queue,
      transactor: store.transactor,
      quietSeconds: config.assembler.quietSeconds,
      now,
      logger: logger.child('assembler'),
      onReady: () => runner.wake(),
    });
    assembler.start(options.assemblerIntervalMs ?? 1000);
    stops.push(() => assembler.stop());

    const sink = createIngestSink({ store: store.ingest, onAccepted: (instance) => {
        metrics.instancesReceived.inc({ source: instance.source });
        audit.instanceAccepted(instance);
      }, logger: logger.child('ingest') });

    let dimse: DimseListener | null = null;
    if (config.ingest.dimse.enabled) {
      dimse = await startDimseListener({ ...config.ingest.dimse, ...audit.dimse, aet: config.node.aet, spool, sink, logger: logger.child('dimse') });
      stops.push(() => dimse!.stop());
      logger.info('DIMSE listener up', { aet: config.node.aet, port: dimse.port });
    }

    let poller: DicomWebPoller | null = null;
    if (config.ingest.dicomweb.enabled) {
      const { url, auth, schedule, modalities, overlapMinutes, pageSize, initialLookbackHours, maxStudyFailures, caFile } = config.ingest.dicomweb;
      const kv = { get: (k: string) => store.kv.get(k) ?? undefined, set: (k: string, v: string) => store.kv.set(k, v) };
      const state = createKeyValuePollerState({ store: kv, namespace: url });
      poller = createDicomWebPoller({ url, auth, schedule, modalities, overlapMinutes, initialLookbackHours, pageSize, maxStudyFailures, caFile, spool, sink, state, isOwnSeries: isResultSeries, onQuery: audit.query, logger: logger.child('dicomweb'), now });
      poller.start();
      stops.push(() => poller!.stop());
    }

    const health = (): ComponentHealth[] => [
      { name: 'store', status: 'up' },
      dimse ? { name: 'dimse', status: dimse.status().status } : { name: 'dimse', status: 'disabled' },
      poller ? { name: 'dicomweb-poller', status: poller.status().status === 'down' ? 'down' : 'up', detail: poller.status().lastPoll?.error ?? undefined } : { name: 'dicomweb-poller', status: 'disabled' },
      ...models.health(),
    ];
    // Closed by default: without tokens or OIDC, an admin token in a 0600 file (its path is logged, never the token).
    const adminToken = config.api.auth.tokens.length === 0 && !config.api.auth.oidc ? ensureAdminToken(dataDir, logger.child('api')) : null;
    const auth = createAuthenticator({ tokens: adminToken ? [adminToken.entry] : config.api.auth.tokens, oidc: config.api.auth.oidc });
    if (config.api.webhookUrl && !config.api.webhookSecret) logger.warn('api.webhookUrl without api.webhookSecret: webhook calls are not signed');
    // A specific bind address is a name the API is reached by; the wildcard addresses are not.
    const boundHost = ['0.0.0.0', '::', '[::]'].includes(config.api.host) ? [] : [config.api.host];
    const app = createApp({
      auth,
      allowedHosts: [...config.api.allowedHosts, ...boundHost],
      onAuthentication: (event) => {
        audit.apiAuthentication(event);
        options.onApiAuthentication?.(event);
      },
      health,
      worklist: () => store.readModels.worklist(),
      studyDetail: (uid) => store.readModels.studyDetail(uid),
      retryStudy: (uid) => {
        const answer = retryFailedStudy(uid, { studies: store.studies, queue, exportMaxAttempts: config.export.maxAttempts, hasResults: (u) => store.results.listByStudy(u).length > 0 });
        if (answer.outcome === 'queued') {
          logger.info('failed study queued again by an operator', { studyInstanceUid: uid, kind: answer.kind });
          runner.wake();
        }
        return answer;
      },
      metrics: metrics.registry,
      logger: logger.child('api'),
    });
    const api = await startApi(app, { host: config.api.host, port: config.api.port, tls: config.api.tls });
    stops.push(() => api.stop());
    logger.info('API up', { url: api.url });
    // The digest shows a changed configuration between starts without writing its values (secrets) anywhere.
    const digest = createHash('sha256').update(JSON.stringify(config)).digest('hex');
    trail.record({ type: 'configuration-loaded', sources: options.configSources ?? ['(given by the caller)'], digest });
    trail.record({ type: 'application-start' });
    return { apiUrl: api.url, adminTokenFile: adminToken?.file ?? null, dimsePort: dimse?.port ?? null, store, poller, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Job duration, failures and dead letters into the metrics; the queue decides retry or dead letter. */
async function timed(metrics: ReturnType<typeof createNodeMetrics>, job: { kind: 'analyze' | 'export'; attempts: number; maxAttempts: number }, run: () => Promise<void>): Promise<void> {
  const started = performance.now();
  try {
    await run();
  } catch (err) {
    metrics.jobsFailed.inc({ kind: job.kind });
    if (isUnrecoverable(err) || job.attempts >= job.maxAttempts) metrics.jobsDead.inc({ kind: job.kind });
    throw err;
  } finally {
    metrics.jobDuration.observe({ kind: job.kind }, (performance.now() - started) / 1000);
  }
}
