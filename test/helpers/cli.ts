/** Runs the real `gastric-ai` launcher (bin/ → dist/, built by the set-up step) as a child process. */
import { spawnSync } from 'child_process';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 300_000): CliResult {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'gastric-ai.js'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
