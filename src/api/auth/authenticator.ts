/** One Authorization: Bearer credential → a principal: static tokens first, then (when configured) OIDC JWTs. */
import { createOidcVerifier, looksLikeJwt, OidcSettings } from './oidc';
import { Principal } from './roles';
import { TokenEntry, TokenRegistry } from './tokens';

export type AuthResult = { principal: Principal } | { principal: null; reason: string };

export interface Authenticator {
  authenticate(token: string): Promise<AuthResult>;
}

export interface AuthSettings {
  tokens: readonly TokenEntry[];
  oidc: OidcSettings | null;
}

export function createAuthenticator(settings: AuthSettings): Authenticator {
  const tokens = new TokenRegistry(settings.tokens);
  const oidc = settings.oidc ? createOidcVerifier(settings.oidc) : null;
  return {
    authenticate: async (token) => {
      const principal = tokens.verify(token);
      if (principal) return { principal };
      if (oidc && looksLikeJwt(token)) return oidc.verify(token);
      return { principal: null, reason: 'unknown token' };
    },
  };
}
