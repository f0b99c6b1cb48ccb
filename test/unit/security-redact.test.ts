/** Secret masking (src/security/redact.ts), the webhook signature and the *_FILE secrets convention (issue 12). */
import { createHmac } from 'crypto';
import * as fs from 'fs';
import { createServer } from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { loadConfig, maskSecrets } from '../../src/config/load';
import { createLogger } from '../../src/logging/logger';
import { redactSecrets, redactText } from '../../src/security/redact';
import { createWebhookNotifier, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../src/notify/webhook';
import { silentLogger } from '../../src/logging/logger';

describe('redactText', () => {
  test('masks the password of every URL with credentials, keeps user, host and path', () => {
    expect(redactText('STOW-RS to http://user:pa%3Ass@pacs:8042/dicom-web/studies failed')).toBe('STOW-RS to http://user:***@pacs:8042/dicom-web/studies failed');
    expect(redactText('a https://u:p@h/x and dicomweb+https://v:q@[fd00::1]:443/')).toBe('a https://u:***@h/x and dicomweb+https://v:***@[fd00::1]:443/');
    expect(redactText('http://pacs:8042/dicom-web?x=a:b@c')).toBe('http://pacs:8042/dicom-web?x=a:b@c');
    expect(redactText('http://user@pacs/ no password')).toBe('http://user@pacs/ no password');
  });

  test('redactSecrets and maskSecrets mask secret keys and URL passwords in nested data', () => {
    expect(redactSecrets({ url: 'http://a:b@h/', auth: { password: 'x', token: 'y' }, list: ['https://c:d@e'] })).toEqual({ url: 'http://a:***@h/', auth: { password: '***', token: '***' }, list: ['https://c:***@e'] });
    expect(maskSecrets({ destinations: [{ url: 'http://a:b@h/' }] })).toEqual({ destinations: [{ url: 'http://a:***@h/' }] });
  });

  test('the logger masks secret fields and URL passwords in messages and fields', () => {
    const lines: string[] = [];
    createLogger({ write: (l) => lines.push(l) }).warn('calling http://u:hunter2@pacs/', { url: 'http://u:hunter2@pacs/', password: 'hunter2', apiKey: 'k-hunter2' });
    expect(lines[0]).not.toContain('hunter2');
    expect(JSON.parse(lines[0])).toMatchObject({ msg: 'calling http://u:***@pacs/', url: 'http://u:***@pacs/', password: '***', apiKey: '***' });
  });
});

describe('*_FILE environment variables', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secret-file-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  test('set the key to the file content without its final newline; array entries by index; File keys stay paths', () => {
    const override = write('o.yaml', 'export:\n  target: pacs\n  destinations:\n    - { name: pacs, type: stow, url: "http://pacs/dicom-web", auth: { type: basic, username: u, password: placeholder } }\n');
    const { config } = loadConfig({
      file: override,
      env: {
        GASTRIC_AI__API__WEBHOOK_SECRET_FILE: write('webhook', 'whsec-1234\n'),
        GASTRIC_AI__EXPORT__DESTINATIONS__0__AUTH__PASSWORD_FILE: write('pacs', 'p@ss word\n'),
        GASTRIC_AI__INGEST__DIMSE__TLS__CA_FILE: '/etc/ca.pem',
        GASTRIC_AI__INGEST__DICOMWEB__AUTH: '{"type":"bearer","token":"placeholder"}',
        GASTRIC_AI__INGEST__DICOMWEB__AUTH__TOKEN_FILE: write('qido', 'qido-token\n'),
      },
    });
    expect(config.api.webhookSecret).toBe('whsec-1234');
    expect(config.export.destinations[0]).toMatchObject({ auth: { type: 'basic', username: 'u', password: 'p@ss word' } });
    expect(config.ingest.dimse.tls.caFile).toBe('/etc/ca.pem');
    // tokenFile is a key of api.auth.tokens entries, not of ingest.dicomweb.auth: there it is the secret file.
    expect(config.ingest.dicomweb.auth).toEqual({ type: 'bearer', token: 'qido-token' });
  });

  test('a missing secret file is a configuration problem naming the variable', () => {
    expect(() => loadConfig({ env: { GASTRIC_AI__API__WEBHOOK_SECRET_FILE: path.join(dir, 'absent') } })).toThrow(/GASTRIC_AI__API__WEBHOOK_SECRET_FILE: cannot read the secret file .*ENOENT/);
  });
});

describe('webhook signature', () => {
  test('X-Gastric-AI-Signature is HMAC-SHA256 over "timestamp.body", as a receiver verifies it', async () => {
    const received: Array<{ headers: Record<string, unknown>; body: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const notifier = createWebhookNotifier({ url: `http://127.0.0.1:${port}/hook`, logger: silentLogger, secret: 'whsec-1234', now: () => new Date('2026-12-03T12:00:00Z') });
      expect(await notifier.notify({ studyInstanceUid: '1.2.3', priority: 'urgent', cancerProbability: 0.9, stage: { estimate: 'II' } as never })).toMatchObject({ delivered: true });
    } finally {
      await new Promise((r) => server.close(r));
    }
    const { headers, body } = received[0];
    const timestamp = String(headers[TIMESTAMP_HEADER]);
    expect(timestamp).toBe(String(Date.parse('2026-12-03T12:00:00Z') / 1000));
    const expected = createHmac('sha256', 'whsec-1234').update(`${timestamp}.${body}`).digest('hex');
    expect(headers[SIGNATURE_HEADER]).toBe(`sha256=${expected}`);
    expect(JSON.parse(body)).toMatchObject({ event: 'urgent-study', studyInstanceUid: '1.2.3' });
  });
});
