/**
 * API access (issue 12) on the real node (startNode, no models, no DIMSE): closed by default, bearer tokens with
 * roles, the first-start admin token file, OIDC JWTs checked against a JWKS file made here, the Host allow-list, and
 * HTTPS with a self-signed certificate made by openssl.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { request as httpRequest } from 'http';
import { request as httpsRequest } from 'https';
import * as os from 'os';
import * as path from 'path';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import type { AuthenticationEvent } from '../../src/api/auth/middleware';
import { deterministicUid } from '../../src/dicom/uid';
import { createLogger } from '../../src/logging/logger';
import { RunningNode, startNode } from '../../src/node/node';
import { bearer, TEST_TOKENS } from '../helpers/api-auth';
import { REPO_ROOT } from '../helpers/cli';
import { nodeConfig } from '../helpers/node';

jest.setTimeout(60_000);

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'api-auth-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The node with nothing but its store and API. */
function bareConfig(dataDir: string, api: Record<string, unknown> = {}): ReturnType<typeof nodeConfig> {
  return nodeConfig({ node: { dataDir }, ingest: { dimse: { enabled: false } }, inference: { models: [] }, routing: { rules: [] }, api: { port: 0, ...api } });
}

async function startLogged(config: ReturnType<typeof nodeConfig>, hook?: (e: AuthenticationEvent) => void): Promise<{ node: RunningNode; lines: string[] }> {
  const lines: string[] = [];
  const node = await startNode(config, { baseDir: REPO_ROOT, logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }), onApiAuthentication: hook });
  return { node, lines };
}

/** A raw request (fetch cannot set Host), answering status, headers and body. */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; ca?: Buffer } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(u, { method: options.method ?? 'GET', headers: options.headers, ...(options.ca ? { ca: options.ca } : {}) }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const UNKNOWN_STUDY = deterministicUid('api-auth', 1);

describe('with the default config (no credential configured)', () => {
  test('the first start writes a 0600 admin token file and logs its path, the token works, a second start reuses it', async () => {
    const dataDir = path.join(tmp, 'default');
    const config = bareConfig(dataDir, { auth: { tokens: [], oidc: null } });
    const first = await startLogged(config);
    const file = path.join(dataDir, 'api-admin-token');
    let token: string;
    try {
      expect(first.node.adminTokenFile).toBe(file);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      token = fs.readFileSync(file, 'utf8').trim();
      expect(token.length).toBeGreaterThanOrEqual(40);
      expect(first.lines.some((l) => l.includes('wrote an admin token') && l.includes(file))).toBe(true);

      const url = first.node.apiUrl;
      const none = await fetch(`${url}/api/worklist`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="gastric-ai-node"');
      const bad = await fetch(`${url}/api/worklist`, { headers: { authorization: 'Bearer nope' } });
      expect(bad.status).toBe(401);
      expect(bad.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      expect((await fetch(`${url}/api/worklist`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      expect((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      // Unknown routes say nothing without a credential.
      expect((await fetch(`${url}/api/nothing-here`)).status).toBe(401);
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'up' });
      const detail = await fetch(`${url}/api/health`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await detail.json()) as { components: unknown[] }).components.length).toBeGreaterThan(0);
      // The token itself is in no log line.
      expect(first.lines.join('\n')).not.toContain(token);
    } finally {
      await first.node.stop();
    }

    const second = await startLogged(config);
    try {
      expect(fs.readFileSync(file, 'utf8').trim()).toBe(token);
      expect(second.lines.some((l) => l.includes('admin token is in its file') && l.includes(file))).toBe(true);
      expect((await fetch(`${second.node.apiUrl}/api/worklist`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect(second.lines.join('\n')).not.toContain(token);
    } finally {
      await second.node.stop();
    }
  });
});

describe('configured tokens and roles', () => {
  let node: RunningNode;
  let lines: string[];
  const events: AuthenticationEvent[] = [];
  beforeAll(async () => {
    ({ node, lines } = await startLogged(bareConfig(path.join(tmp, 'roles'), { allowedHosts: ['gastric-ai.hospital.lan'] }), (e) => events.push(e)));
  });
  afterAll(async () => node?.stop());

  test('viewer reads, operator retries, metrics scrapes, each refused elsewhere with 403', async () => {
    const url = node.apiUrl;
    const status = async (route: string, role: keyof typeof TEST_TOKENS | null, method = 'GET'): Promise<number> =>
      (await fetch(`${url}${route}`, { method, headers: role ? bearer(role) : {} })).status;
    expect(await status('/api/worklist', null)).toBe(401);
    expect(await status('/api/worklist', 'viewer')).toBe(200);
    expect(await status(`/api/studies/${UNKNOWN_STUDY}`, 'viewer')).toBe(404);
    expect(await status('/api/worklist', 'metrics')).toBe(403);
    expect(await status('/metrics', 'viewer')).toBe(403);
    expect(await status('/metrics', 'metrics')).toBe(200);
    expect(await status('/metrics', null)).toBe(401);
    const denied = await fetch(`${url}/api/studies/${UNKNOWN_STUDY}/retry`, { method: 'POST', headers: bearer('viewer') });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    expect(await status(`/api/studies/${UNKNOWN_STUDY}/retry`, 'operator', 'POST')).toBe(404);
    expect(await status(`/api/studies/${UNKNOWN_STUDY}/retry`, 'admin', 'POST')).toBe(404);
    expect(await status('/api/worklist', 'operator')).toBe(200);
    expect(await status('/api/worklist', 'admin')).toBe(200);
    expect(node.adminTokenFile).toBeNull();
  });

  test('outcomes are logged (failure at warn: who, address, route) and passed to the hook, never the token', async () => {
    events.length = 0;
    await fetch(`${node.apiUrl}/api/worklist`, { headers: { authorization: 'Bearer wrong-token-wrong-token-wrong-token' } });
    await fetch(`${node.apiUrl}/api/worklist`, { headers: bearer('viewer') });
    await fetch(`${node.apiUrl}/metrics`, { headers: bearer('viewer') });
    expect(events).toEqual([
      { outcome: 'failure', user: null, remoteAddress: '127.0.0.1', route: 'GET /api/worklist', reason: 'invalid' },
      { outcome: 'success', user: 'test-viewer', remoteAddress: '127.0.0.1', route: 'GET /api/worklist' },
      { outcome: 'failure', user: 'test-viewer', remoteAddress: '127.0.0.1', route: 'GET /metrics', reason: 'forbidden' },
    ]);
    const warn = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 'warn' && l.route === 'GET /api/worklist');
    expect(warn.at(-1)).toMatchObject({ user: 'unknown', remoteAddress: '127.0.0.1', reason: 'invalid' });
    const all = lines.join('\n');
    for (const token of [...Object.values(TEST_TOKENS), 'wrong-token-wrong-token-wrong-token']) expect(all).not.toContain(token);
  });

  test('a Host the node does not answer to is refused (421); loopback names and allowedHosts pass; /health ignores Host', async () => {
    const port = new URL(node.apiUrl).port;
    const at = (host: string, route = '/api/worklist') => raw(`${node.apiUrl}${route}`, { headers: { host, ...bearer('viewer') } });
    expect((await at(`attacker.example:${port}`)).status).toBe(421);
    expect((await at('127.0.0.1.nip.io')).status).toBe(421);
    expect((await at(`localhost:${port}`)).status).toBe(200);
    expect((await at(`GASTRIC-AI.hospital.lan:${port}`)).status).toBe(200);
    expect((await at(`attacker.example:${port}`, '/')).status).toBe(421);
    expect((await at(`attacker.example:${port}`, '/health')).status).toBe(200);
  });
});

describe('OpenID Connect', () => {
  const ISSUER = 'https://idp.hospital.test/realms/radiology';
  const AUDIENCE = 'gastric-ai-node';
  let node: RunningNode;
  let key: KeyLike;
  let otherKey: KeyLike;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    key = pair.privateKey;
    otherKey = (await generateKeyPair('ES256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-1', alg: 'ES256', use: 'sig' };
    const jwksFile = path.join(tmp, 'jwks.json');
    fs.writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
    ({ node } = await startLogged(bareConfig(path.join(tmp, 'oidc'), { auth: { tokens: [], oidc: { issuer: ISSUER, audience: AUDIENCE, jwksFile, rolesClaim: 'realm_access.roles' } } })));
  });
  afterAll(async () => node?.stop());

  const jwt = (claims: Record<string, unknown>, over: { issuer?: string; audience?: string; exp?: number | string; signWith?: KeyLike } = {}): Promise<string> =>
    new SignJWT({ preferred_username: 'dr.who', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-1' })
      .setIssuer(over.issuer ?? ISSUER)
      .setAudience(over.audience ?? AUDIENCE)
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime(over.exp ?? '5m')
      .sign(over.signWith ?? key);
  const status = async (token: string, route = '/api/worklist'): Promise<number> => (await fetch(`${node.apiUrl}${route}`, { headers: { authorization: `Bearer ${token}` } })).status;

  test('a valid token is accepted with the roles of its claim; wrong issuer, audience, key or an expired one is 401', async () => {
    const viewer = { realm_access: { roles: ['viewer', 'offline_access'] } };
    expect(node.adminTokenFile).toBeNull();
    expect(await status(await jwt(viewer))).toBe(200);
    expect(await status(await jwt(viewer), '/metrics')).toBe(403);
    expect(await status(await jwt({}))).toBe(403);
    expect(await status(await jwt(viewer, { issuer: 'https://evil.test/' }))).toBe(401);
    expect(await status(await jwt(viewer, { audience: 'another-app' }))).toBe(401);
    expect(await status(await jwt(viewer, { exp: Math.floor(Date.now() / 1000) - 3600 }))).toBe(401);
    expect(await status(await jwt(viewer, { signWith: otherKey }))).toBe(401);
    // The static test tokens are not configured here.
    expect(await status(TEST_TOKENS.admin)).toBe(401);
  });
});

describe('HTTPS', () => {
  test('api.tls serves the API over TLS with the configured certificate; plain HTTP to it fails', async () => {
    const certFile = path.join(tmp, 'api.pem');
    const keyFile = path.join(tmp, 'api.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    const { node } = await startLogged(bareConfig(path.join(tmp, 'https'), { tls: { certFile, keyFile } }));
    try {
      expect(node.apiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = fs.readFileSync(certFile);
      const ok = await raw(`${node.apiUrl}/api/worklist`, { headers: bearer('viewer'), ca });
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body)).toEqual([]);
      expect((await raw(`${node.apiUrl}/api/worklist`, { ca })).status).toBe(401);
      // Without our CA the certificate is not trusted, and plain HTTP gets no answer.
      await expect(raw(`${node.apiUrl}/health`)).rejects.toThrow(/self[- ]signed/i);
      await expect(raw(`${node.apiUrl.replace('https:', 'http:')}/health`)).rejects.toThrow();
    } finally {
      await node.stop();
    }
  });
});
