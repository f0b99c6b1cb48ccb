/**
 * models/<id>/manifest.json: what a model is, how its inputs are made, how its outputs are read, and how it was
 * made. The node refuses a package whose manifest does not parse (every problem listed with its path).
 */
import { z } from 'zod';
import { ARCHITECTURES } from '../model/resnet50';
import { TEST_TIME_AUGMENTATIONS } from '../tta';
import { MODEL_MODALITIES } from '../../domain/modality';

export const MANIFEST_SCHEMA_ID = 'gastric-ai-node/model-manifest/v1';
const unit = z.number().min(0).max(1);
const triple = z.tuple([z.number(), z.number(), z.number()]);

export const manifestSchema = z
  .object({
    schema: z.literal(MANIFEST_SCHEMA_ID),
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'expected lower-case id (a-z, 0-9, . _ -)' }),
    version: z.string().min(1),
    modality: z.enum(MODEL_MODALITIES),
    /** resnet50: the keras.applications layout (v1); resnet50-v1.5: torchvision's (src/inference/model/resnet50.ts). */
    architecture: z.enum([ARCHITECTURES.v1, ARCHITECTURES['v1.5']]),
    /** Changes whenever the weights change: the DICOM device UID of the algorithm in every result object. */
    deviceUid: z.string().regex(/^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/).max(64),
    input: z
      .object({
        size: z.number().int().min(32).max(1024),
        layout: z.literal('NHWC'),
        mean: triple,
        std: triple,
        cropToFieldOfView: z.boolean(),
        fixedCrop: z.object({ x: z.number(), y: z.number(), width: z.number().positive(), height: z.number().positive() }).strict().nullable(),
      })
      .strict(),
    heads: z.object({ cancer: z.tuple([z.literal('normal'), z.literal('cancer')]), stage: z.tuple([z.literal('I'), z.literal('II'), z.literal('III'), z.literal('IV')]) }).strict(),
    thresholds: z
      .object({
        /** An image at or above this cancer probability is suspicious (the operating point). */
        image: unit,
        /** Localisation map probability that outlines the region. */
        localisation: unit,
        /** Study priority thresholds (the node's config can override). */
        urgent: unit,
        suspicious: unit,
      })
      .strict(),
    /** Named operating points chosen on the validation split, reported by `evaluate`. */
    operatingPoints: z.array(z.object({ name: z.string(), threshold: unit, sensitivity: unit.nullable(), specificity: unit.nullable() }).strict()),
    studyAggregation: z.object({ rule: z.literal('top-k-mean'), k: z.number().int().min(1) }).strict(),
    /** Views each image is read in (src/inference/tta.ts); the thresholds and the evaluation were made with them. */
    testTimeAugmentation: z.enum(TEST_TIME_AUGMENTATIONS).default('none'),
    files: z.object({ layersModel: z.string(), onnx: z.string() }).strict(),
    training: z
      .object({
        data: z.enum(['synthetic', 'real']),
        command: z.string(),
        startedAt: z.string(),
        finishedAt: z.string(),
        /** Which weights were learned (e.g. "heads" on a frozen backbone, or "all"). */
        trained: z.string(),
        backboneInit: z.string(),
        epochs: z.number().int().min(0),
        /** What ran the training math, and how fast (images per second). */
        engine: z
          .object({ name: z.string(), torch: z.string(), torchvision: z.string(), device: z.string(), trainImagesPerSecond: z.number().nullable(), inferenceImagesPerSecond: z.number().nullable() })
          .strict()
          .optional(),
        dataset: z.record(z.string(), z.unknown()),
      })
      .strict(),
    evaluation: z.record(z.string(), z.unknown()).nullable(),
    notForClinicalUse: z.boolean(),
    intendedUse: z.string(),
  })
  .strict()
  .refine((m) => m.training.data === 'real' || m.notForClinicalUse, { error: 'a model trained on synthetic data must set notForClinicalUse', path: ['notForClinicalUse'] });

export type ModelManifest = z.infer<typeof manifestSchema>;

export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid model manifest:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ManifestError';
  }
}

export function parseManifest(value: unknown, file: string): ModelManifest {
  const r = manifestSchema.safeParse(value);
  if (r.success) return r.data;
  throw new ManifestError(
    file,
    r.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`),
  );
}
