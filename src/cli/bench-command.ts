/** `gastric-ai bench inference --json`: engine speed side by side, and the whole per-image path. */
import { Command } from 'commander';
import { benchInference } from '../bench/inference';
import { benchPipeline } from '../bench/pipeline';
import { intArg } from './args';

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
}
