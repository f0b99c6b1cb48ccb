/**
 * The audit messages not yet sent, in order, on disk (file mode 0600): an append-only file of base64 lines and a
 * small file with the number of lines already sent. A restart resumes where the last one stopped; when everything
 * is sent both are truncated. Beyond `maxMessages` the oldest are dropped (counted; the caller warns).
 */
import * as fs from 'fs';
import * as path from 'path';

export interface AuditSpool {
  readonly size: number;
  /** Messages dropped so far because the spool was full. */
  readonly dropped: number;
  append(message: Buffer): void;
  peek(): Buffer | undefined;
  /** The head was sent. */
  shift(): void;
}

export function openAuditSpool(dir: string, maxMessages: number): AuditSpool {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const queueFile = path.join(dir, 'queue.log');
  const posFile = path.join(dir, 'queue.pos');
  const lines = fs.existsSync(queueFile) ? fs.readFileSync(queueFile, 'utf8').split('\n').filter((l) => l !== '') : [];
  let sent = fs.existsSync(posFile) ? Math.min(Number.parseInt(fs.readFileSync(posFile, 'utf8'), 10) || 0, lines.length) : 0;
  const pending: Buffer[] = lines.slice(sent).map((l) => Buffer.from(l, 'base64'));
  let dropped = 0;

  const writePos = (): void => fs.writeFileSync(posFile, String(sent), { mode: 0o600 });
  const truncate = (): void => {
    fs.writeFileSync(queueFile, '', { mode: 0o600 });
    sent = 0;
    writePos();
  };
  if (pending.length === 0) truncate();

  const shift = (): void => {
    pending.shift();
    sent += 1;
    if (pending.length === 0) truncate();
    else writePos();
  };

  return {
    get size() {
      return pending.length;
    },
    get dropped() {
      return dropped;
    },
    append: (message) => {
      fs.appendFileSync(queueFile, `${message.toString('base64')}\n`, { mode: 0o600 });
      pending.push(message);
      while (pending.length > maxMessages) {
        shift();
        dropped += 1;
      }
    },
    peek: () => pending[0],
    shift,
  };
}
