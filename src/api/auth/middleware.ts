/**
 * Authentication and role checks for express (RFC 6750 Bearer): 401 with WWW-Authenticate when the credential is
 * missing or not valid, 403 when it is valid but lacks the route's role. No cookies are read or set, so a browser
 * never sends a credential by itself and there is no cross-site request forgery surface.
 * Outcomes are logged (success at debug, failure at warn: who or "unknown", address, route; never the token) and
 * passed to an optional hook (the audit trail).
 */
import type { Request, RequestHandler, Response } from 'express';
import { Logger } from '../../logging/logger';
import { sendError } from '../errors';
import { Authenticator } from './authenticator';
import { ApiRole, hasRole, Principal } from './roles';

export interface AuthenticationEvent {
  outcome: 'success' | 'failure';
  /** The token's name or the OIDC user; null when the credential was missing or not valid. */
  user: string | null;
  remoteAddress: string;
  /** "GET /api/worklist" */
  route: string;
  /** Why it failed: no credential, an invalid one (unknown, expired…), or a valid one without the route's role. */
  reason?: 'missing' | 'invalid' | 'forbidden';
}

export type AuthenticationHook = (event: AuthenticationEvent) => void;

const REALM = 'gastric-ai-node';

interface Authenticated {
  principal?: Principal;
}

const principalOf = (res: Response): Principal | undefined => (res.locals as Authenticated).principal;

function bearerToken(req: Request): string | null | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i.exec(header);
  return match ? match[1] : null;
}

export interface AuthMiddlewareOptions {
  authenticator: Authenticator;
  logger: Logger;
  onAuthentication?: AuthenticationHook;
}

export function authMiddleware(options: AuthMiddlewareOptions): { authenticate: RequestHandler; requireRole(role: ApiRole): RequestHandler } {
  const { logger } = options;
  /** `detail` (an OIDC check's code, e.g. ERR_JWT_EXPIRED) goes to the log only. */
  const report = (req: Request, event: Omit<AuthenticationEvent, 'remoteAddress' | 'route'>, detail?: string): void => {
    const full: AuthenticationEvent = { ...event, remoteAddress: req.socket.remoteAddress ?? '', route: `${req.method} ${req.path}` };
    const fields = { user: full.user ?? 'unknown', remoteAddress: full.remoteAddress, route: full.route, ...(full.reason ? { reason: full.reason } : {}), ...(detail ? { detail } : {}) };
    if (full.outcome === 'success') logger.debug('API request authenticated', fields);
    else logger.warn(full.reason === 'forbidden' ? 'API request refused: role missing' : 'API request not authenticated', fields);
    try {
      options.onAuthentication?.(full);
    } catch (err) {
      logger.error('authentication hook failed', { error: (err as Error).message });
    }
  };

  const authenticate: RequestHandler = async (req, res, next) => {
    const token = bearerToken(req);
    if (!token) {
      report(req, { outcome: 'failure', user: null, reason: token === undefined ? 'missing' : 'invalid' });
      res.set('WWW-Authenticate', token === undefined ? `Bearer realm="${REALM}"` : `Bearer realm="${REALM}", error="invalid_request"`);
      sendError(res, 401, 'a bearer token is required (Authorization: Bearer <token>)');
      return;
    }
    const result = await options.authenticator.authenticate(token);
    if (!result.principal) {
      report(req, { outcome: 'failure', user: null, reason: 'invalid' }, result.reason);
      res.set('WWW-Authenticate', `Bearer realm="${REALM}", error="invalid_token"`);
      sendError(res, 401, 'the bearer token is not valid');
      return;
    }
    (res.locals as Authenticated).principal = result.principal;
    next();
  };

  const requireRole = (role: ApiRole): RequestHandler => (req, res, next) => {
    const principal = principalOf(res);
    if (principal && hasRole(principal, role)) {
      report(req, { outcome: 'success', user: principal.name });
      next();
      return;
    }
    report(req, { outcome: 'failure', user: principal?.name ?? null, reason: 'forbidden' });
    res.set('WWW-Authenticate', `Bearer realm="${REALM}", error="insufficient_scope", scope="${role}"`);
    sendError(res, 403, `this route needs the role ${role}`);
  };

  return { authenticate, requireRole };
}
