/**
 * Known API tokens for tests: one per role, configured by their SHA-256 as a real deployment would. `bearer(role)`
 * gives the request headers; `testAuthenticator()` the createApp dependency; TEST_API_AUTH the api.auth config.
 */
import { createAuthenticator, type Authenticator } from '../../src/api/auth/authenticator';
import type { ApiRole } from '../../src/api/auth/roles';
import { sha256Hex } from '../../src/api/auth/tokens';

export const TEST_TOKENS: Readonly<Record<ApiRole, string>> = {
  viewer: 'test-viewer-token-0123456789abcdefghijklmnop',
  operator: 'test-operator-token-0123456789abcdefghijklmn',
  metrics: 'test-metrics-token-0123456789abcdefghijklmno',
  admin: 'test-admin-token-0123456789abcdefghijklmnopq',
};

export const TEST_API_AUTH = {
  tokens: (Object.keys(TEST_TOKENS) as ApiRole[]).map((role) => ({ name: `test-${role}`, roles: [role], sha256: sha256Hex(TEST_TOKENS[role]) })),
  oidc: null,
};

export const bearer = (role: ApiRole): { authorization: string } => ({ authorization: `Bearer ${TEST_TOKENS[role]}` });

export const testAuthenticator = (): Authenticator => createAuthenticator(TEST_API_AUTH);
