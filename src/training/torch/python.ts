/**
 * Where the Python trainer lives and which interpreter runs it. PyTorch comes from the system (Debian's python3-torch
 * via scripts/setup.sh) or, on a GPU host, from the interpreter named by GASTRIC_AI_PYTHON (docs/models.md).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** trainer/ at the repository root, from src/training/torch (ts-jest) and dist/training/torch (built) alike. */
export const TRAINER_DIR = path.resolve(__dirname, '..', '..', '..', 'trainer');

export const PYTHON_ENV = 'GASTRIC_AI_PYTHON';

/** GASTRIC_AI_PYTHON, else the system interpreter Debian's python3-torch installs into, else python3 on PATH. */
export function pythonExecutable(): string {
  const wanted = process.env[PYTHON_ENV];
  if (wanted) return wanted;
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

export interface PythonCommand {
  command: string;
  args: string[];
  options: { cwd: string; env: NodeJS.ProcessEnv };
}

/** `python3 -m gastric_trainer ...args` with the trainer package importable. */
export function trainerCommand(args: string[]): PythonCommand {
  const env = { ...process.env, PYTHONPATH: [TRAINER_DIR, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter), PYTHONUNBUFFERED: '1' };
  return { command: pythonExecutable(), args: ['-m', 'gastric_trainer', ...args], options: { cwd: TRAINER_DIR, env } };
}

export interface TorchInfo {
  torch: string;
  torchvision: string;
  cuda: boolean;
  gpu: string | null;
}

export class TrainerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainerUnavailableError';
  }
}

/** Checks that the interpreter runs and imports torch and torchvision; the error says how to install them. */
export function checkTorch(): TorchInfo {
  const c = trainerCommand(['check']);
  const r = spawnSync(c.command, c.args, { ...c.options, encoding: 'utf8' });
  if (r.error) throw new TrainerUnavailableError(`cannot run ${c.command} (${r.error.message}); install python3 or set ${PYTHON_ENV}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let event: { event?: string; message?: string } & Partial<TorchInfo> = {};
  try {
    event = JSON.parse(line) as typeof event;
  } catch {
    // falls through to the error below
  }
  if (event.event === 'check') return event as TorchInfo;
  const why = event.message ?? (r.stderr.trim().split('\n').pop() || `exit status ${r.status}`);
  throw new TrainerUnavailableError(`PyTorch is not usable from ${c.command}: ${why}. On Debian/Ubuntu: apt install python3-torch python3-torchvision (scripts/setup.sh does); on a GPU host set ${PYTHON_ENV} to a python with CUDA PyTorch (docs/models.md)`);
}
