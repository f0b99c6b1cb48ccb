/**
 * OpenID Connect access tokens (JWT, RFC 9068 / RFC 7519) checked with jose: signature against the identity
 * provider's JWKS (a file, or its URL, cached and refreshed by jose), issuer, audience, expiry and not-before.
 * Only asymmetric algorithms are accepted (a shared HS256 secret would let any holder mint tokens; `none` never).
 * Roles come from one claim (a dotted path for nested claims, e.g. Keycloak's realm_access.roles), as an array or a
 * space-separated string; values that are not our role names are ignored.
 */
import { readFileSync } from 'fs';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { ApiRole, isApiRole, Principal } from './roles';

export interface OidcSettings {
  issuer: string;
  audience: string;
  jwksFile?: string;
  jwksUrl?: string;
  rolesClaim?: string;
}

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** Clock skew allowed between us and the identity provider. */
const CLOCK_TOLERANCE_S = 30;

/** Three base64url parts: worth handing to the JWT verifier (a static token never looks like this). */
export const looksLikeJwt = (token: string): boolean => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);

function claimAt(payload: JWTPayload, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), payload);
}

export function rolesFromClaim(value: unknown): ApiRole[] {
  const values = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/\s+/) : [];
  return [...new Set(values.filter(isApiRole))];
}

export interface OidcVerifier {
  /** The principal of a valid token, or null with the reason (expired, wrong audience…) for the log. */
  verify(token: string): Promise<{ principal: Principal } | { principal: null; reason: string }>;
}

export function createOidcVerifier(settings: OidcSettings): OidcVerifier {
  let keys: ReturnType<typeof createLocalJWKSet> | ReturnType<typeof createRemoteJWKSet>;
  if (settings.jwksFile) {
    let jwks: JSONWebKeySet;
    try {
      jwks = JSON.parse(readFileSync(settings.jwksFile, 'utf8')) as JSONWebKeySet;
    } catch (err) {
      throw new Error(`api.auth.oidc.jwksFile: cannot read a JWKS from ${settings.jwksFile} (${(err as Error).message})`);
    }
    keys = createLocalJWKSet(jwks);
  } else if (settings.jwksUrl) {
    keys = createRemoteJWKSet(new URL(settings.jwksUrl));
  } else {
    throw new Error('api.auth.oidc: expected jwksFile or jwksUrl');
  }
  const rolesClaim = settings.rolesClaim ?? 'roles';
  return {
    verify: async (token) => {
      try {
        const { payload } = await jwtVerify(token, keys, { issuer: settings.issuer, audience: settings.audience, algorithms: ALGORITHMS, clockTolerance: CLOCK_TOLERANCE_S });
        const name = typeof payload.preferred_username === 'string' ? payload.preferred_username : (payload.sub ?? 'unnamed');
        return { principal: { name, roles: rolesFromClaim(claimAt(payload, rolesClaim)), via: 'oidc' } };
      } catch (err) {
        const e = err as Error & { code?: string };
        return { principal: null, reason: e.code ?? e.name };
      }
    },
  };
}
