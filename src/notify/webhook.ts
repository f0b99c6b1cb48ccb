/**
 * Tells an outside system (a paging service, a RIS integration) that a study was triaged urgent. The payload names the
 * study by UID only: no patient name, ID or birth date leaves the node this way. Delivery is best effort: a timeout per
 * attempt, a bounded number of attempts with backoff, failures logged; `notify` never rejects, so a receiver that is
 * down can never fail or stall the pipeline beyond its bounded retries.
 * With a secret, each call is signed (issue 12): X-Gastric-AI-Timestamp is the Unix time in seconds and
 * X-Gastric-AI-Signature is "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body). The receiver recomputes it
 * over the raw body, compares in constant time and refuses timestamps older than a few minutes (replay).
 */
import { createHmac } from 'crypto';
import { Stage, StudyAnalysis } from '../domain/analysis';
import { Logger } from '../logging/logger';

/** What the receiver gets, exactly (built field by field: nothing else from the analysis is copied). */
export interface UrgentStudyEvent {
  event: 'urgent-study';
  studyInstanceUid: string;
  priority: 'urgent';
  cancerProbability: number;
  stage: Stage | null;
  notForClinicalUse: true;
}

export type WebhookStudy = Pick<StudyAnalysis, 'studyInstanceUid' | 'priority' | 'cancerProbability' | 'stage'>;

export interface WebhookOutcome {
  /** false when the study is not urgent (nothing sent) or every attempt failed. */
  delivered: boolean;
  attempts: number;
  /** The last failure, when not delivered after trying. */
  error?: string;
}

export interface WebhookNotifier {
  /** Sends an urgent-study event when the analysis is urgent; resolves (never rejects) once delivered or given up. */
  notify(study: WebhookStudy): Promise<WebhookOutcome>;
}

export interface WebhookOptions {
  url: string;
  logger: Logger;
  /** Injected for tests or a proxy-aware client; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Per attempt (default 5 s). */
  timeoutMs?: number;
  /** Including the first (default 3). */
  maxAttempts?: number;
  /** Delay before the second attempt, doubled each time after (default 1 s). */
  backoffMs?: number;
  /** e.g. an Authorization header the receiver expects. */
  headers?: Record<string, string>;
  /** HMAC-SHA256 key (api.webhookSecret): signs every call. */
  secret?: string | null;
  /** Clock for the signature timestamp (tests). */
  now?: () => Date;
}

export const SIGNATURE_HEADER = 'x-gastric-ai-signature';
export const TIMESTAMP_HEADER = 'x-gastric-ai-timestamp';

/** The signature header's value for `body` sent at `timestamp` (Unix seconds, as sent in the timestamp header). */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** Worth another attempt: the receiver or the network may recover. Other 4xx answers will not change. */
const isRetryableStatus = (status: number): boolean => status >= 500 || status === 408 || status === 429;

class WebhookAttemptError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
    this.name = 'WebhookAttemptError';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function urgentStudyEvent(study: WebhookStudy): UrgentStudyEvent {
  return {
    event: 'urgent-study',
    studyInstanceUid: study.studyInstanceUid,
    priority: 'urgent',
    cancerProbability: study.cancerProbability,
    stage: study.stage.estimate,
    notForClinicalUse: true,
  };
}

export function createWebhookNotifier(options: WebhookOptions): WebhookNotifier {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 3));
  const backoffMs = options.backoffMs ?? 1000;
  // The URL may carry a token in its path or query: logs name the receiver by origin only.
  const receiver = new URL(options.url).origin;
  const logger = options.logger;

  const now = options.now ?? (() => new Date());
  // Signed per attempt: a retry carries a fresh timestamp.
  const signed = (body: string): Record<string, string> => {
    if (!options.secret) return {};
    const timestamp = String(Math.floor(now().getTime() / 1000));
    return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: webhookSignature(options.secret, timestamp, body) };
  };

  const attempt = async (body: string): Promise<void> => {
    let response: Response;
    try {
      response = await doFetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'gastric-ai-node', ...options.headers, ...signed(body) },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const e = err as Error;
      const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      throw new WebhookAttemptError(timedOut ? `no answer within ${timeoutMs} ms` : `${e.message}${cause ? ` (${cause})` : ''}`, true);
    }
    // Drain the body so the connection can be reused; its content does not matter.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new WebhookAttemptError(`HTTP ${response.status}`, isRetryableStatus(response.status));
  };

  return {
    notify: async (study) => {
      if (study.priority !== 'urgent') return { delivered: false, attempts: 0 };
      const fields = { studyInstanceUid: study.studyInstanceUid, receiver };
      let body: string;
      try {
        body = JSON.stringify(urgentStudyEvent(study));
      } catch (err) {
        logger.error('webhook event not built', { ...fields, error: (err as Error).message });
        return { delivered: false, attempts: 0, error: (err as Error).message };
      }
      let lastError = '';
      for (let n = 1; n <= maxAttempts; n++) {
        try {
          await attempt(body);
          logger.info('webhook delivered', { ...fields, attempts: n });
          return { delivered: true, attempts: n };
        } catch (err) {
          const retryable = err instanceof WebhookAttemptError ? err.retryable : true;
          lastError = err instanceof Error ? err.message : String(err);
          const last = n === maxAttempts || !retryable;
          logger.warn('webhook attempt failed', { ...fields, attempt: n, maxAttempts, error: lastError, willRetry: !last });
          if (last) {
            logger.error('webhook not delivered', { ...fields, attempts: n, error: lastError });
            return { delivered: false, attempts: n, error: lastError };
          }
          await sleep(backoffMs * 2 ** (n - 1));
        }
      }
      return { delivered: false, attempts: maxAttempts, error: lastError };
    },
  };
}
