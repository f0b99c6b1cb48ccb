/**
 * Secrets masked wherever they could show: a URL's password (http://user:pass@host → http://user:***@host) in any
 * text (error messages, job errors, log lines, API answers), and the values of keys named like secrets (password,
 * token, secret, authorization, sha256) in structured data.
 */
export const MASK = '***';

/** scheme://user:password@ — the userinfo password, up to the @ that ends the authority. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*):[^\s/?#@]*@/gi;

/** Replaces every URL password in `text`. */
export function redactText(text: string): string {
  return text.replace(URL_PASSWORD, `$1:${MASK}@`);
}

/** The URL without its user:password@ part, for where even the user name should not show (audit, display). */
export function withoutUrlCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
}

/** Key names whose values are secrets. */
export const SECRET_KEY = /password|passwd|token|secret|authorization|sha256|api[-_]?key/i;

/** A deep copy: secret keys' string values masked, every other string with its URL passwords masked. */
export function redactSecrets<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && typeof v === 'string' ? MASK : redactSecrets(v);
  return out as T;
}
