/** `npx gastric-ai config check` through the real launcher: problems with paths and exit 1, or the masked config. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { REPO_ROOT, runCli } from '../helpers/cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('a bad config lists every problem with its path and exits non-zero', () => {
  const file = path.join(tmp, 'bad.yaml');
  fs.writeFileSync(file, 'ingest:\n  dimse: { port: 0 }\nqueue: { concurency: 2 }\n');
  const r = runCli(['config', 'check', '--config', file], { GASTRIC_AI__API__PORT: '"eighty"' });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('ingest.dimse.port: expected integer 1-65535');
  expect(r.stderr).toContain('queue.concurency: unknown key');
  expect(r.stderr).toContain('api.port: expected integer 0-65535');
  expect(r.stdout).toBe('');
});

test('a valid config prints the effective configuration with secrets masked', () => {
  const file = path.join(tmp, 'good.yaml');
  fs.writeFileSync(file, 'ingest:\n  dicomweb: { enabled: true, auth: { type: basic, username: ai, password: s3cret-pw } }\n');
  const r = runCli(['config', 'check', '--json'], { GASTRIC_AI_CONFIG: file });
  expect(r.status).toBe(0);
  const printed = JSON.parse(r.stdout);
  expect(printed.ingest.dicomweb.auth).toEqual({ type: 'basic', username: 'ai', password: '********' });
  expect(r.stdout).not.toContain('s3cret-pw');
});

test('synth refuses bad arguments with a clear message', () => {
  const r = runCli(['synth', '--out', path.join(tmp, 'x'), '--modalities', 'ES,MR']);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/expected a comma list of ES, CT, PT/);
});

test('`npx gastric-ai` resolves the package bin from the repository root', () => {
  const r = spawnSync('npx', ['--no-install', 'gastric-ai', 'config', 'check', '--json'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, GASTRIC_AI_CONFIG: '' } });
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout).node.aet).toBe('GASTRIC_AI');
});
