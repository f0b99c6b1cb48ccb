/**
 * Runs the Python trainer as a child process: the config goes in a file, progress comes back as JSON lines on stdout
 * (trainer/gastric_trainer/events.py) and becomes our progress lines. A failure becomes one TrainerError with the
 * trainer's one-line message; its stderr (warnings, tracebacks with GASTRIC_AI_DEBUG=1) is passed through only then.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as readline from 'readline';
import { trainerCommand } from './python';
import { EpochRecord, TrainerConfig, TrainerDone } from './trainer-config';

export class TrainerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainerError';
  }
}

export interface TrainerHandlers {
  onStart?: (e: { device: string; torch: string; trainImages: number; validationImages: number; steps: number; initialisation: string }) => void;
  onStep?: (e: { epoch: number; epochs: number; step: number; steps: number; loss: number }) => void;
  onEpoch?: (e: { record: EpochRecord; best: boolean }) => void;
  onLog?: (message: string) => void;
}

type TrainerEvent =
  | ({ event: 'start' } & Parameters<NonNullable<TrainerHandlers['onStart']>>[0])
  | ({ event: 'step' } & Parameters<NonNullable<TrainerHandlers['onStep']>>[0])
  | ({ event: 'epoch' } & Parameters<NonNullable<TrainerHandlers['onEpoch']>>[0])
  | { event: 'log'; message: string }
  | { event: 'error'; message: string; kind?: string }
  | ({ event: 'done' } & TrainerDone);

const STDERR_TAIL_LINES = 40;

export async function runTrainer(configPath: string, config: TrainerConfig, handlers: TrainerHandlers): Promise<TrainerDone> {
  fs.writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const c = trainerCommand(['train', configPath]);
  const child = spawn(c.command, c.args, { ...c.options, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  const debug = Boolean(process.env.GASTRIC_AI_DEBUG);
  readline.createInterface({ input: child.stderr }).on('line', (line) => {
    if (debug) process.stderr.write(`${line}\n`);
    stderr.push(line);
    if (stderr.length > STDERR_TAIL_LINES) stderr.shift();
  });
  let done: TrainerDone | null = null;
  let failure: string | null = null;
  const lines = readline.createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    let e: TrainerEvent;
    try {
      e = JSON.parse(line) as TrainerEvent;
    } catch {
      handlers.onLog?.(line); // a stray print from a library
      return;
    }
    switch (e.event) {
      case 'start': handlers.onStart?.(e); break;
      case 'step': handlers.onStep?.(e); break;
      case 'epoch': handlers.onEpoch?.(e); break;
      case 'log': handlers.onLog?.(e.message); break;
      case 'error': failure = e.message; break;
      case 'done': done = e; break;
    }
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', (err) => reject(new TrainerError(`cannot start the trainer (${c.command}): ${err.message}`)));
    child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  if (done && code === 0) return done;
  const why = failure ?? (signal ? `killed by ${signal}` : stderr.filter((l) => l.trim()).pop() ?? `exit status ${code}`);
  throw new TrainerError(`trainer: ${why}`);
}
