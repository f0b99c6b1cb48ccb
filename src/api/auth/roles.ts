/**
 * API roles (issue 12). A principal holds roles; a route needs one. admin implies every role, operator implies viewer
 * (who may write may read); metrics is separate so a Prometheus scraper reads /metrics and nothing else.
 */
export const API_ROLES = ['viewer', 'operator', 'metrics', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export const isApiRole = (value: unknown): value is ApiRole => typeof value === 'string' && (API_ROLES as readonly string[]).includes(value);

/** Who called: a configured token's name, or the OIDC subject. */
export interface Principal {
  name: string;
  roles: readonly ApiRole[];
  via: 'token' | 'oidc';
}

const IMPLIED: Readonly<Record<ApiRole, readonly ApiRole[]>> = {
  viewer: ['viewer'],
  operator: ['operator', 'viewer'],
  metrics: ['metrics'],
  admin: API_ROLES,
};

export function hasRole(principal: Principal, needed: ApiRole): boolean {
  return principal.roles.some((r) => IMPLIED[r].includes(needed));
}
