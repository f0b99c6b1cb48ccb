/** A tiny, untrained model package for pipeline tests (64 px ResNet50 with seeded random weights). */
import * as tf from '@tensorflow/tfjs';
import { defaultPreprocessSpec } from '../../src/imaging/preprocess';
import { ARCHITECTURES, buildGastricResNet50 } from '../../src/inference/model/resnet50';
import { ModelManifest } from '../../src/inference/package/manifest';
import { writeModelPackage } from '../../src/inference/package/write';
import type { Modality } from '../../src/domain/modality';

/**
 * `constantCancerLogits` replaces the cancer head by a constant [normal, cancer] logit pair (kernel zero), e.g. [20, -20]
 * for a model that never flags an image: random weights can saturate the softmax to exactly 1 on some inputs.
 */
export async function writeTestModelPackage(dir: string, modality: Modality, size = 64, thresholds: Partial<ModelManifest['thresholds']> = {}, constantCancerLogits?: [number, number]): Promise<ModelManifest> {
  const model = buildGastricResNet50({ inputSize: size, seed: 7 });
  if (constantCancerLogits) {
    const head = model.getLayer('cancer');
    const [kernel] = head.getWeights();
    head.setWeights([tf.zerosLike(kernel), tf.tensor1d(constantCancerLogits)]);
  }
  const spec = defaultPreprocessSpec(modality, size);
  const now = new Date(0).toISOString();
  const manifest = await writeModelPackage(dir, model, {
    id: `test-${modality.toLowerCase()}`,
    version: '0.0.1',
    modality,
    architecture: ARCHITECTURES['v1.5'],
    input: { size, layout: 'NHWC', mean: spec.mean, std: spec.std, cropToFieldOfView: spec.cropToFieldOfView, fixedCrop: null },
    heads: { cancer: ['normal', 'cancer'], stage: ['I', 'II', 'III', 'IV'] },
    // Every image "suspicious" so the localisation path always runs on an untrained model.
    thresholds: { image: 0, localisation: 0.5, urgent: 0.8, suspicious: 0.5, ...thresholds },
    operatingPoints: [],
    testTimeAugmentation: 'none',
    studyAggregation: { rule: 'top-k-mean', k: 3 },
    training: { data: 'synthetic', command: 'test fixture', startedAt: now, finishedAt: now, trained: 'nothing (untrained test fixture)', backboneInit: 'random (seed 7)', epochs: 0, dataset: {} },
    evaluation: null,
    notForClinicalUse: true,
    intendedUse: 'Test fixture - not for clinical use.',
  });
  model.dispose();
  return manifest;
}
