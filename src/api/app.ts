/**
 * The HTTP API: thin routes over ApiDeps, one error handler, a static dashboard. Every route but one is a GET (HEAD
 * comes with it); POST /api/studies/:uid/retry takes no body, so no body parser is mounted.
 * Access (issue 12): /health (up or down, nothing more) and the dashboard's page and script are open; every other
 * route needs a bearer token with its role (viewer, operator, metrics; admin has all), and unknown routes answer 401
 * before 404 so that nobody learns the routes without a credential. The Host header is checked first (DNS rebinding).
 */
import express, { Express, NextFunction, Request, Response } from 'express';
import { isValidUid } from '../dicom/uid';
import { silentLogger } from '../logging/logger';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/registry';
import { DASHBOARD_CSP, DASHBOARD_HTML, DASHBOARD_JS } from './dashboard';
import { authMiddleware } from './auth/middleware';
import { checkHost, hostAllowList } from './auth/hosts';
import { ApiDeps, ComponentHealth } from './deps';
import { errorHandler, notFoundHandler, sendError } from './errors';

export interface HealthReport {
  /** up when every enabled component is up. */
  status: 'up' | 'down';
  components: ComponentHealth[];
}

export function healthReport(components: ComponentHealth[]): HealthReport {
  const down = components.some((c) => c.status === 'down');
  return { status: down ? 'down' : 'up', components };
}

export function createApp(deps: ApiDeps): Express {
  const app = express();
  const logger = deps.logger ?? silentLogger;
  app.disable('x-powered-by');
  // /api/worklist and /api/worklist/ are different routes; a UID never needs case folding.
  app.set('strict routing', true);
  app.set('case sensitive routing', true);

  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.set('X-Content-Type-Options', 'nosniff');
    // Worklist and study detail change every few seconds and describe patients' studies: never cache them.
    res.set('Cache-Control', 'no-store');
    next();
  });

  // Open to probes that name the pod or container by address (Kubernetes, Docker): up or down says nothing more.
  app.get('/health', async (_req, res) => {
    const report = healthReport(await deps.health());
    res.status(report.status === 'up' ? 200 : 503).json({ status: report.status });
  });

  const allowedHosts = hostAllowList(deps.allowedHosts ?? []);
  app.use(checkHost(allowedHosts, (host) => logger.warn('request refused: Host not in api.allowedHosts', { host: host.slice(0, 100) })));

  // The page and its script hold no data: the script asks for the token and sends it with each request.
  app.get('/', (_req, res) => {
    res.set('Content-Security-Policy', DASHBOARD_CSP).type('html').send(DASHBOARD_HTML);
  });

  app.get('/dashboard.js', (_req, res) => {
    res.type('application/javascript').send(DASHBOARD_JS);
  });

  const { authenticate, requireRole } = authMiddleware({ authenticator: deps.auth, logger, onAuthentication: deps.onAuthentication });
  app.use(authenticate);

  app.get('/api/health', requireRole('viewer'), async (_req, res) => {
    const report = healthReport(await deps.health());
    res.status(report.status === 'up' ? 200 : 503).json(report);
  });

  app.get('/metrics', requireRole('metrics'), async (_req, res) => {
    const text = await deps.metrics.expose();
    res.status(200).set('Content-Type', PROMETHEUS_CONTENT_TYPE).send(text);
  });

  app.get('/api/worklist', requireRole('viewer'), async (_req, res) => {
    // Passed through in the store's triage order (see ApiDeps.worklist): the API does not re-sort.
    res.json(await deps.worklist());
  });

  app.get('/api/studies/:studyUid', requireRole('viewer'), async (req, res) => {
    const uid = String(req.params.studyUid);
    if (!isValidUid(uid)) {
      sendError(res, 400, 'studyUid is not a valid DICOM UID (PS3.5 9.1: digits and dots, at most 64 characters)');
      return;
    }
    const detail = await deps.studyDetail(uid);
    if (!detail) {
      sendError(res, 404, `no study with Study Instance UID ${uid}`);
      return;
    }
    res.json(detail);
  });

  // After an outage outlasted the retries: an operator puts a dead-lettered study back in the queue.
  app.post('/api/studies/:studyUid/retry', requireRole('operator'), async (req, res) => {
    const uid = String(req.params.studyUid);
    if (!isValidUid(uid)) {
      sendError(res, 400, 'studyUid is not a valid DICOM UID (PS3.5 9.1: digits and dots, at most 64 characters)');
      return;
    }
    const answer = deps.retryStudy ? await deps.retryStudy(uid) : { outcome: 'not-found' as const };
    if (answer.outcome === 'not-found') sendError(res, 404, `no study with Study Instance UID ${uid}`);
    else if (answer.outcome === 'not-failed') sendError(res, 409, 'only a failed study can be retried');
    else res.status(202).json(answer);
  });

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
