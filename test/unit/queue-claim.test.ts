/**
 * Claim atomicity under real concurrency: several worker threads, each with its own SQLite connection to one
 * database file, claim from the same queue at the same moment. No job may be handed out twice, none lost.
 * Worker threads run plain Node (outside jest's transform), so the modules under test are compiled with swc first.
 */
import { transformFileSync } from '@swc/core';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { JobQueue } from '../../src/pipeline/queue';
import { createSqliteStore } from '../../src/store/sqlite-store';

const ROOT = path.resolve(__dirname, '../..');
const MODULES = [
  'src/domain/analysis.ts',
  'src/domain/instance.ts',
  'src/domain/study.ts',
  'src/logging/logger.ts',
  'src/pipeline/backoff.ts',
  'src/pipeline/queue.ts',
  'src/security/redact.ts',
  ...fs.readdirSync(path.join(ROOT, 'src/store')).filter((f) => f.endsWith('.ts')).map((f) => `src/store/${f}`),
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-claim-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Compiles the modules to CommonJS under tmp/build, pointing bare requires at this repository's node_modules. */
function compile(): string {
  const out = path.join(tmp, 'build');
  for (const rel of MODULES) {
    const { code } = transformFileSync(path.join(ROOT, rel), {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
      swcrc: false,
    });
    const resolved = code.replace(/require\("([^."][^"]*)"\)/g, (_m, name: string) => `require(${JSON.stringify(require.resolve(name))})`);
    fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
    fs.writeFileSync(path.join(out, rel.replace(/\.ts$/, '.js')), resolved);
  }
  const worker = `
    const { parentPort, workerData } = require('worker_threads');
    const { createSqliteStore } = require('./src/store/sqlite-store.js');
    const { JobQueue } = require('./src/pipeline/queue.js');
    const store = createSqliteStore({ path: workerData.file, busyTimeoutMs: 20000 });
    const queue = new JobQueue({ ...store, backoff: { initialSeconds: 1, maxSeconds: 1 }, maxAttempts: 3 });
    const gate = new Int32Array(workerData.gate);
    Atomics.add(gate, 1, 1);
    Atomics.wait(gate, 0, 0); // every worker starts claiming at the same moment
    const ids = [];
    for (let job = queue.claim(); job; job = queue.claim()) ids.push(job.id);
    store.close();
    parentPort.postMessage(ids);
  `;
  fs.writeFileSync(path.join(out, 'claimer.js'), worker);
  return path.join(out, 'claimer.js');
}

test('concurrent claimers on separate connections never get the same job', async () => {
  const file = path.join(tmp, 'queue.sqlite');
  const store = createSqliteStore({ path: file });
  const queue = new JobQueue({ ...store, backoff: { initialSeconds: 1, maxSeconds: 1 }, maxAttempts: 3 });
  const all: number[] = [];
  store.transactor.run(() => {
    for (let i = 0; i < 300; i++) {
      const uid = `1.2.${i}`;
      store.studies.create({ studyInstanceUid: uid, source: 'dimse', callingAet: null, sourceUrl: null, receivedAt: new Date(0) });
      all.push(queue.enqueue({ kind: i % 3 === 0 ? 'export' : 'analyze', studyInstanceUid: uid, revision: 1, runAt: new Date(0) }).job.id);
    }
  });
  store.close();

  const script = compile();
  const gate = new SharedArrayBuffer(8);
  const flags = new Int32Array(gate);
  const claimers = 4;
  const results = Array.from({ length: claimers }, () => {
    const worker = new Worker(script, { workerData: { file, gate } });
    return new Promise<number[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  });
  while (Atomics.load(flags, 1) < claimers) await new Promise((r) => setTimeout(r, 5));
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
  const claimed = await Promise.all(results);

  const flat = claimed.flat();
  expect(new Set(flat).size).toBe(flat.length); // nobody got a job twice
  expect([...flat].sort((a, b) => a - b)).toEqual(all); // and every job was taken
  const after = createSqliteStore({ path: file });
  expect(after.jobs.countByKindAndState().reduce((s, r) => s + (r.state === 'running' ? r.count : 0), 0)).toBe(300);
  expect(after.jobs.listByState('running').every((j) => j.attempts === 1)).toBe(true);
  after.close();
});
