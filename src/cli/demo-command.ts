/**
 * `gastric-ai demo`: a local PACS (Orthanc on free ports) loaded with a synthetic gastric patient by STOW-RS, and what
 * the PACS then holds. The analysis and result objects join this path as the node's pipeline lands (issues #3-#5).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { createDicomWebClient, jsonValue } from '../dicomweb/client';
import { startOrthanc } from '../orthanc/launcher';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../synth/generate';
import { listDicomFiles } from '../synth/files';

interface DemoOptions {
  once?: boolean;
  json?: boolean;
  seed: string;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start a local Orthanc, load a synthetic gastric patient (ES, CT, PT) and show what the PACS holds')
    .option('--once', 'exit after loading instead of keeping Orthanc running')
    .option('--json', 'print the result as JSON')
    .option('--seed <s>', 'synthetic patient seed', '1')
    .action(async (opts: DemoOptions) => runDemo(opts));
}

async function runDemo(opts: DemoOptions): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-ai-demo-'));
  const say = (line: string): void => {
    if (!opts.json) process.stderr.write(`${line}\n`);
  };
  const orthanc = await startOrthanc({ aet: 'DEMO_PACS' });
  try {
    say(`Orthanc (the PACS) is up: ${orthanc.url}/app/explorer.html  DICOM ${orthanc.aet}@127.0.0.1:${orthanc.dicomPort}`);
    const summary = generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out: work, seed: Number(opts.seed), patients: 1, normalFraction: 0, jpeg: true });
    const client = createDicomWebClient(orthanc.dicomWebUrl);
    const studies = [];
    for (const study of summary.patients[0].studies) {
      const datasets = listDicomFiles(path.join(work, study.folder)).map((f) => {
        const b = fs.readFileSync(f);
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
      });
      await client.storeInstances({ datasets });
      const [found] = (await client.searchForStudies({ queryParams: { StudyInstanceUID: study.studyInstanceUid, includefield: '00080061,00201208' } })) as Array<Record<string, { Value?: unknown[] }>>;
      studies.push({ studyInstanceUid: study.studyInstanceUid, modalities: jsonValue(found, '00080061'), instances: jsonValue(found, '00201208')[0], cancerImages: study.cancerImages });
      say(`  stored ${study.modality} study ${study.studyInstanceUid}: ${study.images} images (${study.cancerImages} with cancer) — found by QIDO-RS`);
    }
    const result = { pacs: orthanc.url, stage: summary.patients[0].stage, synthetic: true, studies };
    if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (!opts.once) {
      say('Synthetic data - not for clinical use. Press Ctrl-C to stop.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
  } finally {
    await orthanc.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
