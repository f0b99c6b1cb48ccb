/**
 * Host header allow-list against DNS rebinding: a page on an attacker's domain that resolves to our address reaches
 * us with its own name in Host. Loopback names are always allowed; a deployment adds the names it is reached by.
 */
import type { RequestHandler } from 'express';
import { sendError } from '../errors';

export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** "Example.org:8080" → "example.org", "[::1]:80" → "[::1]". */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.replace(/:\d*$/, '');
}

export function hostAllowList(extra: readonly string[]): Set<string> {
  return new Set([...LOOPBACK_HOSTS, ...extra].map((h) => hostName(h.includes(':') && !h.startsWith('[') && h.split(':').length > 2 ? `[${h}]` : h)));
}

/** 421 Misdirected Request for a Host we do not answer to (RFC 9110 15.5.20). */
export function checkHost(allowed: Set<string>, onRefused: (host: string) => void): RequestHandler {
  return (req, res, next) => {
    const host = req.headers.host;
    if (host && allowed.has(hostName(host))) {
      next();
      return;
    }
    onRefused(host ?? '');
    sendError(res, 421, 'this server does not answer to that Host name (api.allowedHosts)');
  };
}
