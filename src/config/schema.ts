/**
 * The node's configuration contract. Defaults live in config/default.yaml (the documented file), not here:
 * every key is required after merging, so the schema and the default file cannot drift apart silently
 * (test/unit/config.test.ts validates the default file). Objects are strict so a mistyped key is an error.
 */
import { z } from 'zod';
import { isValidUid } from '../dicom/uid';
import { isDicomModalityCode } from '../domain/modality';
import { TEST_TIME_AUGMENTATIONS } from '../inference/tta';

const intIn = (lo: number, hi: number) => {
  const error = `expected integer ${lo}-${hi}`;
  return z.number({ error }).int({ error }).min(lo, { error }).max(hi, { error });
};
const numberIn = (lo: number, hi: number) => {
  const error = `expected number ${lo}-${hi}`;
  return z.number({ error }).min(lo, { error }).max(hi, { error });
};
const port = intIn(1, 65535);
/** DICOM AE title: 1-16 characters of the default character repertoire, no backslash, not all spaces (PS3.5 6.2). */
const aeTitle = z
  .string({ error: 'expected AE title (1-16 characters)' })
  .regex(/^(?=.*[^ ])[\x20-\x5b\x5d-\x7e]{1,16}$/, { error: 'expected AE title (1-16 printable characters, no backslash)' });
const httpUrl = z.string({ error: 'expected http(s) URL' }).regex(/^https?:\/\/[^\s/]+/, { error: 'expected http(s) URL' });
const nonEmpty = z.string({ error: 'expected text' }).min(1, { error: 'expected non-empty text' });

const auth = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('none') }).strict(),
    z.object({ type: z.literal('basic'), username: nonEmpty, password: nonEmpty }).strict(),
    z.object({ type: z.literal('bearer'), token: nonEmpty }).strict(),
  ],
  { error: 'expected auth type none, basic or bearer' },
);

const destination = z.discriminatedUnion(
  'type',
  [
    z.object({ name: nonEmpty, type: z.literal('stow'), url: httpUrl, auth, /** The PACS's AE title: matches studies it sent by DIMSE when export.target is "source". */ aet: aeTitle.optional() }).strict(),
    z.object({ name: nonEmpty, type: z.literal('cstore'), aet: aeTitle, host: nonEmpty, port }).strict(),
  ],
  { error: 'expected destination type stow or cstore' },
);

/** A DICOM Modality code (CS, PS3.3 C.7.3.1.1.1), e.g. ES, CT, PT, OT, XC. */
const dicomModality = z.string({ error: 'expected a DICOM modality code' }).refine(isDicomModalityCode, { error: 'expected a DICOM modality code (e.g. ES, OT, XC)' });
const uid = z.string({ error: 'expected a UID' }).refine(isValidUid, { error: 'expected a UID (digits and dots, at most 64 characters)' });
/** A model package's id (its manifest's `id`). */
const modelId = z.string({ error: 'expected a model id' }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'expected a model id (letters, digits, . _ -)' });

const modelPackage = z.object({ id: modelId, dir: nonEmpty }).strict();

const routingRule = z
  .object({
    /** The id of the model package (inference.models) that reads matching series. */
    model: modelId,
    /** DICOM Modality of the series (any code: an endoscopy tower may send OT or XC). */
    modality: dicomModality.optional(),
    /** SOP Class UID of the series' instances (e.g. Secondary Capture, VL Endoscopic Image). */
    sopClassUid: uid.optional(),
    bodyPartPattern: z.string().optional(),
    studyDescriptionPattern: z.string().optional(),
    callingAet: aeTitle.optional(),
  })
  .strict()
  .refine((r) => r.modality !== undefined || r.sopClassUid !== undefined || r.callingAet !== undefined, {
    error: 'expected at least one of modality, sopClassUid, callingAet (a rule must not match every series)',
  });

export const configSchema = z
  .object({
    node: z.object({ aet: aeTitle, dataDir: nonEmpty }).strict(),
    ingest: z
      .object({
        dimse: z
          .object({
            enabled: z.boolean(),
            host: nonEmpty,
            port,
            /** Empty list: any calling AE may store. */
            allowedCallingAets: z.array(aeTitle),
            maxAssociations: intIn(1, 256),
            maxPduLength: intIn(4096, 4194304),
            minFreeDiskMb: intIn(0, 10_000_000),
          })
          .strict(),
        dicomweb: z
          .object({
            enabled: z.boolean(),
            url: httpUrl,
            auth,
            /** node-cron expression (with seconds field allowed). */
            schedule: nonEmpty,
            /** DICOM modalities whose studies are found by QIDO-RS (ModalitiesInStudy). */
            modalities: z.array(dicomModality).min(1, { error: 'expected at least one modality' }),
            overlapMinutes: intIn(0, 1440),
            pageSize: intIn(1, 10000),
            /** On the first poll (no watermark yet), look back this far: studies from before are not fetched. */
            initialLookbackHours: numberIn(0, 87600),
            /** A study that fails this many polls in a row is given up until its instance count changes. */
            maxStudyFailures: intIn(1, 100),
          })
          .strict(),
      })
      .strict(),
    assembler: z.object({ quietSeconds: numberIn(0, 86400) }).strict(),
    queue: z
      .object({
        concurrency: intIn(1, 64),
        maxAttempts: intIn(1, 100),
        backoffInitialSeconds: numberIn(0, 86400),
        backoffMaxSeconds: numberIn(0, 604800),
      })
      .strict(),
    routing: z.object({ rules: z.array(routingRule) }).strict(),
    inference: z
      .object({
        engine: z.enum(['auto', 'onnx', 'tfjs'], { error: 'expected auto, onnx or tfjs' }),
        threads: intIn(0, 256),
        batchSize: intIn(1, 256),
        /** 'model' = each manifest's own views; anything else overrides them for every model. */
        testTimeAugmentation: z.enum(['model', ...TEST_TIME_AUGMENTATIONS], { error: `expected model, ${TEST_TIME_AUGMENTATIONS.join(', ')}` }),
        /** Model packages; routing rules name them by id. A folder that is missing is reported at start, not fatal. */
        models: z.array(modelPackage),
      })
      .strict(),
    triage: z
      .object({
        urgentProbability: numberIn(0, 1),
        suspiciousProbability: numberIn(0, 1),
      })
      .strict()
      .refine((t) => t.suspiciousProbability <= t.urgentProbability, {
        error: 'expected suspiciousProbability <= urgentProbability',
        path: ['suspiciousProbability'],
      }),
    results: z
      .object({
        segmentationType: z.enum(['BINARY', 'FRACTIONAL'], { error: 'expected BINARY or FRACTIONAL' }),
        secondaryCapture: z.boolean(),
      })
      .strict(),
    export: z
      .object({
        /** "source": back to the PACS the study came from; otherwise the name of a destination. */
        target: nonEmpty,
        destinations: z.array(destination),
        maxAttempts: intIn(1, 100),
      })
      .strict(),
    api: z
      .object({
        host: nonEmpty,
        port: intIn(0, 65535),
        webhookUrl: httpUrl.nullable(),
      })
      .strict(),
    logging: z.object({ level: z.enum(['debug', 'info', 'warn', 'error'], { error: 'expected debug, info, warn or error' }) }).strict(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const ids = c.inference.models.map((m) => m.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['inference', 'models', i, 'id'], message: `model id ${id} is listed twice` });
    });
    c.routing.rules.forEach((rule, i) => {
      if (!ids.includes(rule.model))
        ctx.addIssue({ code: 'custom', path: ['routing', 'rules', i, 'model'], message: `expected the id of a model in inference.models (${ids.join(', ') || 'none listed'})` });
      for (const key of ['bodyPartPattern', 'studyDescriptionPattern'] as const) {
        const pattern = rule[key];
        if (pattern === undefined) continue;
        try {
          new RegExp(pattern, 'i');
        } catch (err) {
          ctx.addIssue({ code: 'custom', path: ['routing', 'rules', i, key], message: `not a regular expression (${(err as Error).message})` });
        }
      }
    });
    const names = new Set(c.export.destinations.map((d) => d.name));
    if (c.export.target !== 'source' && !names.has(c.export.target)) {
      ctx.addIssue({ code: 'custom', path: ['export', 'target'], message: `expected "source" or a destination name (${[...names].join(', ') || 'none defined'})` });
    }
  });

export type NodeConfig = z.infer<typeof configSchema>;
