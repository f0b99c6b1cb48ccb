/**
 * `gastric-ai evaluate` as a use case: open the model package, read the dataset of its modality, choose the images
 * (selection.ts), run the model over them (run.ts), assemble the metrics (metrics.ts) and optionally write the report
 * (report.ts). The CLI only parses arguments and writes the JSON.
 */
import * as fs from 'fs';
import * as path from 'path';
import { EngineChoice } from '../../inference/engines/select';
import { openModelPackage } from '../../inference/package/load';
import type { TestTimeAugmentation } from '../../inference/tta';
import { readDataset } from '../dataset/reader';
import { readTrainingHistory } from './history';
import { assembleEvaluation, EvaluationResult } from './metrics';
import { writeEvaluationReport, ReportFiles } from './report';
import { predictImages } from './run';
import { EvaluationSplit, selectImages } from './selection';

export interface EvaluateOptions {
  modelDir: string;
  dataDir: string;
  split: EvaluationSplit;
  engine: EngineChoice;
  /** Engine threads, 0 = all cores. */
  threads: number;
  batchSize: number;
  /** Overrides the manifest's test-time views. */
  testTimeAugmentation?: TestTimeAugmentation;
  /** Bootstrap seed. */
  seed: number;
  bootstrapIterations: number;
  /** Folder for index.html, report.md and the figures; none without it. */
  reportDir?: string;
  log?: (line: string) => void;
}

export async function evaluateModel(options: EvaluateOptions): Promise<{ result: EvaluationResult; report: ReportFiles | null }> {
  const log = options.log ?? ((): void => undefined);
  const modelDir = path.resolve(options.modelDir);
  const root = path.resolve(options.dataDir);
  // History first: a malformed training-history.json should fail before minutes of inference, not after.
  const history = options.reportDir ? readTrainingHistory(modelDir) : null;
  const pkg = await openModelPackage(modelDir, { engine: options.engine, threads: options.threads, testTimeAugmentation: options.testTimeAugmentation });
  try {
    const { manifest } = pkg;
    const index = await readDataset(root, { modality: manifest.modality });
    const selection = selectImages(index, manifest, options.split);
    log(`evaluating ${manifest.id} ${manifest.version} on ${selection.images.length} ${manifest.modality} images (${options.split}) with ${pkg.engine.kind} (${pkg.engine.backend}), test-time augmentation ${pkg.testTimeAugmentation}`);
    const run = await predictImages(pkg, selection.images, {
      root,
      batchSize: options.batchSize,
      onProgress: (done, total) => log(`  ${done}/${total} images`),
    });
    const result = assembleEvaluation(
      {
        model: { id: manifest.id, version: manifest.version, modality: manifest.modality, deviceUid: manifest.deviceUid, trainedOnSyntheticData: manifest.training.data === 'synthetic', notForClinicalUse: manifest.notForClinicalUse, dir: modelDir },
        data: { root, synthetic: run.syntheticImages > 0 || fs.existsSync(path.join(root, 'synthetic-manifest.json')), syntheticImages: run.syntheticImages, split: selection.split },
        options: { engine: pkg.engine.kind, backend: pkg.engine.backend, batchSize: options.batchSize, testTimeAugmentation: pkg.testTimeAugmentation },
      },
      run.predictions,
      run.skipped,
      {
        topK: manifest.studyAggregation.k,
        imageThreshold: manifest.thresholds.image,
        urgentThreshold: manifest.thresholds.urgent,
        suspiciousThreshold: manifest.thresholds.suspicious,
        operatingPoints: manifest.operatingPoints,
      },
      { seed: options.seed, iterations: options.bootstrapIterations },
    );
    const report = options.reportDir ? await writeEvaluationReport(result, path.resolve(options.reportDir), history) : null;
    return { result, report };
  } finally {
    await pkg.engine.dispose();
  }
}
