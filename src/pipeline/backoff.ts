/**
 * Exponential backoff between attempts of a failed job: initial × 2^(attempt − 1), capped at the maximum.
 * One policy for every retrying job (analysis and export), from config `queue.backoffInitialSeconds/MaxSeconds`.
 */

export interface BackoffPolicy {
  initialSeconds: number;
  maxSeconds: number;
}

export function backoffPolicyFromConfig(queue: { backoffInitialSeconds: number; backoffMaxSeconds: number }): BackoffPolicy {
  return { initialSeconds: queue.backoffInitialSeconds, maxSeconds: queue.backoffMaxSeconds };
}

/** Delay before the next try after `attempt` attempts (1 = the first try failed), in milliseconds. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`);
  // Cap the exponent too: 2^1024 is Infinity, and Infinity × 0 would be NaN for a zero initial delay.
  const seconds = Math.min(policy.initialSeconds * 2 ** Math.min(attempt - 1, 52), policy.maxSeconds);
  return Math.round(seconds * 1000);
}
