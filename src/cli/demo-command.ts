/**
 * `gastric-ai demo`: the whole product on one machine. A local Orthanc (the PACS, with the Lua forwarder) and the
 * node (embedded default config, demo models) start on free ports; a synthetic gastric patient is stored into Orthanc
 * by STOW-RS; Orthanc forwards the stable study to the node by C-STORE; the node analyses it and stores SR, SEG and SC
 * back by STOW-RS. The demo waits until the results are queryable in Orthanc, retrieves them by WADO-RS into --out and
 * prints what came back. Synthetic data and demo models: not for clinical use.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { loadConfig, mergeTrees } from '../config/load';
import { configSchema } from '../config/schema';
import { createDicomWebClient, jsonValue } from '../dicomweb/client';
import { isResultSeries } from '../domain/result-series';
import { createLogger } from '../logging/logger';
import { findFreePort } from '../net/free-port';
import { startNode } from '../node/node';
import { startOrthanc } from '../orthanc/launcher';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../synth/generate';
import { listDicomFiles } from '../synth/files';
import { createDicomWebService } from '../ingest/dicomweb/service';
import { MODEL_MODALITIES, isModality, Modality } from '../domain/modality';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

interface DemoOptions {
  once?: boolean;
  json?: boolean;
  seed: string;
  out?: string;
  modalities: string;
  config?: string;
  timeout: string;
}

type Json = Record<string, { Value?: unknown[] }>;

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run Orthanc + the node locally, send a synthetic gastric study through them and show the results that came back')
    .option('--once', 'exit after the results are back instead of keeping Orthanc and the node running')
    .option('--json', 'print {studyInstanceUID, priority, cancerProbability, stage, results, timings} as JSON (an array for several modalities)')
    .option('--out <dir>', 'write the result objects retrieved from Orthanc (WADO-RS) here')
    .option('--modalities <list>', 'synthetic studies to send: ES, CT, PT (comma list)', 'ES')
    .option('--seed <s>', 'synthetic patient seed', '1')
    .option('-c, --config <file>', 'node configuration override file')
    .option('--timeout <s>', 'give up waiting for results after this many seconds', '300')
    .action(async (opts: DemoOptions) => runDemo(opts));
}

async function runDemo(opts: DemoOptions): Promise<void> {
  const modalities = opts.modalities.split(',').map((m) => m.trim().toUpperCase());
  for (const m of modalities) if (!isModality(m)) throw new Error(`--modalities: ${m} is not one of ${MODEL_MODALITIES.join(', ')}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-ai-demo-'));
  const say = (line: string): void => {
    if (!opts.json) process.stderr.write(`${line}\n`);
  };
  const [httpPort, nodePort] = [await findFreePort(), await findFreePort()];
  const base = loadConfig({ file: opts.config }).config;
  const config = configSchema.parse(
    mergeTrees(base as unknown as Record<string, unknown>, {
      node: { dataDir: path.join(work, 'node') },
      ingest: { dimse: { enabled: true, host: '127.0.0.1', port: nodePort, peers: [{ name: 'demo-pacs', aet: 'DEMO_PACS', hosts: ['127.0.0.1'] }] }, dicomweb: { enabled: false } },
      assembler: { quietSeconds: 1 },
      // No configured credential: the node writes an admin token file in the demo's data dir, which the demo reads.
      api: { host: '127.0.0.1', port: 0, tls: null, auth: { tokens: [], oidc: null } },
      export: { target: 'source', destinations: [{ name: 'demo-pacs', type: 'stow', url: `http://127.0.0.1:${httpPort}/dicom-web`, auth: { type: 'none' }, aet: 'DEMO_PACS' }] },
    }),
  );
  const logger = createLogger({ level: opts.json ? 'error' : 'warn', component: 'node' });
  const node = await startNode(config, { baseDir: REPO_ROOT, logger });
  const orthanc = await startOrthanc({ aet: 'DEMO_PACS', httpPort, stableAgeSeconds: 2, forwardTo: { aet: config.node.aet, host: '127.0.0.1', port: nodePort } });
  try {
    say(`PACS (Orthanc): ${orthanc.url}/app/explorer.html   node API/dashboard: ${node.apiUrl}/`);
    // The token is never printed: the dashboard asks for it, and its file is readable by this user only.
    say(`  the dashboard asks for a token: paste the content of ${node.adminTokenFile}`);
    const token = fs.readFileSync(node.adminTokenFile!, 'utf8').trim();
    const synth = path.join(work, 'synth');
    const summary = generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out: synth, seed: Number(opts.seed), patients: 1, normalFraction: 0, jpeg: true, modalities: modalities as Modality[] });
    const client = createDicomWebClient(orthanc.dicomWebUrl);
    const wado = createDicomWebService({ url: orthanc.dicomWebUrl, auth: { type: 'none' }, timeoutMs: 60_000 });
    const started = performance.now();
    for (const study of summary.patients[0].studies) {
      const datasets = listDicomFiles(path.join(synth, study.folder)).map((f) => new Uint8Array(fs.readFileSync(f)).buffer as ArrayBuffer);
      await client.storeInstances({ datasets });
      say(`stored ${study.modality} study ${study.studyInstanceUid} (${study.images} images) into the PACS; waiting for the node's results ...`);
    }

    const outputs = [];
    for (const study of summary.patients[0].studies) {
      const detail = await waitForStudy(node.apiUrl, token, study.studyInstanceUid, Number(opts.timeout) * 1000);
      if (detail.status === 'skipped') {
        // e.g. no model package installed for this modality: the node says why and sends nothing back.
        outputs.push({ studyInstanceUID: study.studyInstanceUid, modality: study.modality, status: 'skipped', reason: detail.reason, results: [] });
        say(`  ${study.modality} ${study.studyInstanceUid}: skipped by the node (${detail.reason ?? ''})`);
        continue;
      }
      if (detail.status !== 'done') throw new Error(`study ${study.studyInstanceUid} ended ${detail.status}: ${detail.reason ?? ''}`);
      const backAfterMs = performance.now() - started;
      const series = (await client.searchForSeries({ studyInstanceUID: study.studyInstanceUid })) as Json[];
      const results = [];
      for (const s of series) {
        const description = String(jsonValue(s, '0008103E')[0] ?? '');
        if (!isResultSeries(description)) continue;
        const seriesUid = String(jsonValue(s, '0020000E')[0]);
        const modality = String(jsonValue(s, '00080060')[0]);
        const instances = await wado.retrieveSeries(study.studyInstanceUid, seriesUid);
        const files = instances.map((bytes, i) => {
          if (!opts.out) return null;
          const dir = path.join(path.resolve(opts.out), study.studyInstanceUid);
          fs.mkdirSync(dir, { recursive: true });
          const file = path.join(dir, `${modality.toLowerCase()}-${i}.dcm`);
          fs.writeFileSync(file, Buffer.from(bytes));
          return file;
        });
        results.push({ modality, seriesInstanceUID: seriesUid, seriesDescription: description, instances: instances.length, files: files.filter(Boolean) });
      }
      const a = detail.analysis!;
      outputs.push({
        studyInstanceUID: study.studyInstanceUid,
        modality: study.modality,
        status: 'done',
        priority: a.priority,
        cancerProbability: Number(a.cancerProbability.toFixed(4)),
        stage: a.stage.estimate,
        results,
        timings: { ...roundAll(a.timings), storedToResultsInPacsMs: Math.round(backAfterMs) },
        models: a.models,
        notForClinicalUse: true,
      });
      say(
        `  ${study.modality} ${study.studyInstanceUid}: priority ${a.priority}, cancer probability ${(a.cancerProbability * 100).toFixed(1)} %, stage ${a.stage.estimate ?? '-'}; ` +
          `${results.map((r) => `${r.modality} x${r.instances}`).join(', ')} back in the PACS after ${(backAfterMs / 1000).toFixed(1)} s`,
      );
    }
    if (opts.json) process.stdout.write(`${JSON.stringify(outputs.length === 1 ? outputs[0] : outputs, null, 2)}\n`);
    if (!opts.once) {
      say('Synthetic data and demo models - not for clinical use. Press Ctrl-C to stop.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
  } finally {
    await node.stop();
    await orthanc.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const roundAll = (t: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v * 10) / 10]));

interface DemoDetail {
  status: string;
  reason: string | null;
  analysis: { priority: string; cancerProbability: number; stage: { estimate: string | null }; timings: Record<string, number>; models: unknown[] } | null;
}

async function waitForStudy(apiUrl: string, token: string, uid: string, timeoutMs: number): Promise<DemoDetail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${apiUrl}/api/studies/${uid}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 401 || res.status === 403) throw new Error(`the node API refused the demo's token (HTTP ${res.status})`);
    if (res.status === 200) {
      const d = (await res.json()) as DemoDetail;
      if (['done', 'skipped', 'failed'].includes(d.status)) return d;
    }
    if (Date.now() > deadline) throw new Error(`no result for study ${uid} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
