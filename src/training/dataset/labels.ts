/**
 * Strict validation of one per-image JSON label (docs/dataset-format.md): the seed's `image` and `annotations[]`,
 * and our optional `gastric_ai_extension`. Every problem is reported with its JSON path, not just the first, so one
 * run over a delivery lists everything the data team has to fix.
 *
 * Keys we do not know are tolerated (and dropped): the real collection may carry fields the published format leaves out.
 * Stage and pathology are absent from the real collection's labels; the reader takes them from clinical.csv.
 */
import * as fs from 'fs';
import { z } from 'zod';
import { MODEL_MODALITIES } from '../../domain/modality';

const STAGE_VALUES: readonly string[] = ['I', 'II', 'III', 'IV'];
const point = z.tuple([z.number(), z.number()]);

const imageSchema = z.object({
  person_id: z.string().min(1),
  sex: z.enum(['M', 'F']),
  image_name: z.string().min(1),
  image_type: z.literal('DICOM'),
  image_seq: z.number().int().min(1),
  image_count: z.number().int().min(1),
  width: z.number().int().min(1),
  height: z.number().int().min(1),
  phase_id: z.number().int().min(0),
});

const annotationSchema = z.object({
  category: z.literal('cancer'),
  label_type: z.literal('polygon'),
  polygon: z.array(point).min(3),
});

const extensionSchema = z.object({
  schema: z.literal('gastric-ai-node/label-extension/v1'),
  synthetic: z.boolean(),
  age: z.number().int().min(0).max(130),
  stage: z.enum(['I', 'II', 'III', 'IV']).nullable(),
  pathology: z.enum(['adenocarcinoma', 'normal']),
  modality: z.enum(MODEL_MODALITIES),
  benign_finding: z.enum(['polyp', 'erosion']).nullable(),
  study_instance_uid: z.string().min(1),
  series_instance_uid: z.string().min(1),
  sop_instance_uid: z.string().min(1),
});

export const labelSchema = z.object({
  image: imageSchema,
  annotations: z.array(annotationSchema),
  gastric_ai_extension: extensionSchema.optional(),
});

export type Label = z.infer<typeof labelSchema>;

export interface LabelProblem {
  /** JSON path, e.g. `annotations[0].polygon[3]`; `(root)` for the document itself. */
  path: string;
  message: string;
}

export class LabelError extends Error {
  constructor(
    readonly file: string,
    readonly problems: LabelProblem[],
  ) {
    super(`${file}: invalid label (${problems.length} problem${problems.length === 1 ? '' : 's'})\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'LabelError';
  }
}

export function jsonPath(parts: readonly PropertyKey[]): string {
  if (parts.length === 0) return '(root)';
  return parts.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/**
 * Checks between fields, run on the raw value even when the schema fails so a missing person_id does not hide a
 * polygon outside the image. Each check only looks at fields that have the right type (the schema reports the rest).
 */
function crossFieldProblems(value: unknown): LabelProblem[] {
  if (!isRecord(value)) return [];
  const problems: LabelProblem[] = [];
  const image = isRecord(value.image) ? value.image : {};
  const { image_seq: seq, image_count: count, width, height } = image;
  if (isPositiveInt(seq) && isPositiveInt(count) && seq > count) {
    problems.push({ path: 'image.image_seq', message: `${seq} is outside 1..image_count (${count})` });
  }
  const annotations = Array.isArray(value.annotations) ? value.annotations : [];
  if (isPositiveInt(width) && isPositiveInt(height)) {
    annotations.forEach((a: unknown, i) => {
      const polygon = isRecord(a) && Array.isArray(a.polygon) ? a.polygon : [];
      polygon.forEach((p: unknown, j) => {
        if (!Array.isArray(p) || typeof p[0] !== 'number' || typeof p[1] !== 'number') return;
        const [x, y] = p as [number, number];
        // Pixel coordinates: x is a column in [0, width), y a row in [0, height).
        if (!(x >= 0 && x < width && y >= 0 && y < height)) {
          problems.push({ path: jsonPath(['annotations', i, 'polygon', j]), message: `point [${x}, ${y}] is outside the ${width}×${height} image` });
        }
      });
    });
  }
  const ext = value.gastric_ai_extension;
  if (isRecord(ext)) {
    if (ext.stage === null && annotations.length > 0) {
      problems.push({ path: 'gastric_ai_extension.stage', message: `null (control) but annotations has ${annotations.length} cancer region(s)` });
    }
    const stageValid = ext.stage === null || STAGE_VALUES.includes(ext.stage as string);
    const pathologyValid = ext.pathology === 'normal' || ext.pathology === 'adenocarcinoma';
    if (stageValid && pathologyValid && (ext.stage === null) !== (ext.pathology === 'normal')) {
      problems.push({ path: 'gastric_ai_extension.pathology', message: `"${String(ext.pathology)}" contradicts stage ${JSON.stringify(ext.stage)}` });
    }
  }
  return problems;
}

/** Validates a parsed label; throws LabelError listing every problem. */
export function validateLabel(file: string, value: unknown): Label {
  const parsed = labelSchema.safeParse(value);
  const problems: LabelProblem[] = parsed.success ? [] : parsed.error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message }));
  problems.push(...crossFieldProblems(value));
  if (problems.length > 0 || !parsed.success) throw new LabelError(file, problems);
  return parsed.data;
}

export function parseLabel(file: string, text: string): Label {
  let value: unknown;
  try {
    // A UTF-8 byte order mark (Windows tools) is not part of the JSON.
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new LabelError(file, [{ path: '(root)', message: `not JSON: ${(e as Error).message}` }]);
  }
  return validateLabel(file, value);
}

export async function readLabel(file: string): Promise<Label> {
  return parseLabel(file, await fs.promises.readFile(file, 'utf8'));
}
