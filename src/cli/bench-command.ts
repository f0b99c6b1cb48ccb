/** `gastric-ai bench inference --json`: engine speed side by side, and the whole per-image path. */
import { Command } from 'commander';
import * as path from 'path';
import { benchE2e } from '../bench/e2e';
import { benchInference } from '../bench/inference';
import { benchPipeline } from '../bench/pipeline';
import { TEST_TIME_AUGMENTATIONS, TestTimeAugmentation } from '../inference/tta';
import { intArg, ttaArg } from './args';

export function registerBenchCommand(program: Command): void {
  const bench = program.command('bench').description('benchmarks that print JSON');
  bench
    .command('inference')
    .description('ResNet50 ms/image at batch 1 and 8: our onnx engine, onnxruntime session.run on the same graph, tfjs; plus decode+preprocess+infer+CAM')
    .option('--size <px>', 'input size', intArg(32, 1024), 224)
    .option('--runs <n>', 'timed runs per onnx case', intArg(1, 1000), 10)
    .option('--tfjs-runs <n>', 'timed runs per tfjs case', intArg(1, 100), 3)
    .option('--threads <n>', 'onnx intra-op threads, 0 = all cores', intArg(0, 256), 0)
    .option('--pipeline-images <n>', 'endoscopy images for the whole-path timing', intArg(1, 1000), 8)
    .option('--json', 'JSON only (the default output is JSON too; this flag is for symmetry with the other verbs)')
    .action(async (opts: { size: number; runs: number; tfjsRuns: number; threads: number; pipelineImages: number }) => {
      const engines = await benchInference({ inputSize: opts.size, runs: opts.runs, tfjsRuns: opts.tfjsRuns, threads: opts.threads });
      const pipeline = await benchPipeline(opts.size, opts.pipelineImages, opts.threads);
      process.stdout.write(`${JSON.stringify({ benchmark: 'inference', date: new Date().toISOString(), ...engines, pipeline }, null, 2)}\n`);
    });
  bench
    .command('e2e')
    .description('study stable → results queryable in Orthanc for a JPEG endoscopy study, and DIMSE ingest vs dcmtk storescp')
    .option('--images <n>', 'endoscopy images in the study', intArg(1, 2000), 100)
    .option('--es-model <dir>', "ES model package (default: the config's models and routing rules)")
    .option('--tta <views>', `test-time views for the ES model: ${TEST_TIME_AUGMENTATIONS.join(' | ')} (default: its manifest's)`, ttaArg)
    .option('--ingest-files <n>', 'files per ingest size (10 KB and 525 KB)', intArg(1, 10000), 200)
    .option('--json', 'JSON only (the output is JSON either way)')
    .action(async (opts: { images: number; esModel?: string; tta?: TestTimeAugmentation; ingestFiles: number }) => {
      const result = await benchE2e({ baseDir: path.resolve(__dirname, '..', '..'), images: opts.images, esModel: opts.esModel, testTimeAugmentation: opts.tta, ingestFiles: opts.ingestFiles });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    });
}
