/**
 * The node's configuration contract. Defaults live in config/default.yaml (the documented file), not here:
 * every key is required after merging, so the schema and the default file cannot drift apart silently
 * (test/unit/config.test.ts validates the default file). Objects are strict so a mistyped key is an error.
 */
import { z } from 'zod';
import { isValidUid } from '../dicom/uid';
import { isDicomModalityCode } from '../domain/modality';
import { normaliseFingerprint } from '../ingest/dimse/peers';
import { TEST_TIME_AUGMENTATIONS } from '../inference/tta';
import { parseHostPattern } from '../security/cidr';

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

/** A PEM file path (certificate, key or CA bundle); read and checked when the node starts (src/security/tls.ts). */
const pemFile = z.string({ error: 'expected a PEM file path' }).min(1, { error: 'expected a PEM file path' });
/** DICOM TLS to a C-STORE destination (PS3.15 B.9): our client certificate, the CA that signed the peer's. */
const cstoreTls = z
  .object({
    certFile: pemFile,
    keyFile: pemFile,
    caFile: pemFile,
    /** Check that the peer's certificate names `host` (default true; dcmtk and Orthanc peers often lack IP SANs). */
    verifyServerName: z.boolean().optional(),
  })
  .strict();

const destination = z.discriminatedUnion(
  'type',
  [
    z.object({ name: nonEmpty, type: z.literal('stow'), url: httpUrl, auth, /** The PACS's AE title: matches studies it sent by DIMSE when export.target is "source". */ aet: aeTitle.optional(), /** CA bundle for an https URL signed by a hospital CA (default: Node's public CAs). */ caFile: pemFile.optional() }).strict(),
    z.object({ name: nonEmpty, type: z.literal('cstore'), aet: aeTitle, host: nonEmpty, port, tls: cstoreTls.nullable().optional() }).strict(),
  ],
  { error: 'expected destination type stow or cstore' },
);

/** API roles (src/api/auth/roles.ts). */
const apiRole = z.enum(['viewer', 'operator', 'metrics', 'admin'], { error: 'expected viewer, operator, metrics or admin' });
const apiRoles = z.array(apiRole).min(1, { error: 'expected at least one role' });
/** A bearer token by its SHA-256 (hex), or a file holding the plain token (read at start). */
const apiToken = z.union(
  [
    z.object({ name: nonEmpty, roles: apiRoles, sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, { error: 'expected the SHA-256 of the token (64 hex digits)' }) }).strict(),
    z.object({ name: nonEmpty, roles: apiRoles, tokenFile: nonEmpty }).strict(),
  ],
  { error: 'expected { name, roles, sha256 } or { name, roles, tokenFile }' },
);
const apiOidc = z
  .object({
    issuer: nonEmpty,
    audience: nonEmpty,
    jwksFile: nonEmpty.optional(),
    jwksUrl: httpUrl.optional(),
    /** The claim holding our role names (dotted path for a nested one, e.g. realm_access.roles); default roles. */
    rolesClaim: nonEmpty.optional(),
  })
  .strict()
  .refine((o) => (o.jwksFile === undefined) !== (o.jwksUrl === undefined), { error: 'expected exactly one of jwksFile, jwksUrl' });
const apiAuth = z.object({ tokens: z.array(apiToken), oidc: apiOidc.nullable() }).strict();

/** A source that may store to us (the DICOM peer registry, src/ingest/dimse/peers.ts). */
const dicomPeer = z
  .object({
    name: nonEmpty,
    aet: aeTitle,
    /** IP addresses, CIDR ranges (IPv4, IPv6) and host names its connections may come from. */
    hosts: z
      .array(z.string({ error: 'expected an IP address, CIDR range or host name' }).refine((h) => parseHostPattern(h) !== null, { error: 'expected an IP address, CIDR range (e.g. 10.1.0.0/16, fd00::/8) or host name' }))
      .min(1, { error: 'expected at least one host (IP address, CIDR range or host name)' }),
    maxAssociations: intIn(1, 256).optional(),
    /** SHA-256 of the peer's TLS client certificate; a pinned peer associates only over TLS with that certificate. */
    certificateFingerprint: z
      .string({ error: 'expected a SHA-256 fingerprint' })
      .refine((f) => normaliseFingerprint(f) !== null, { error: 'expected a SHA-256 fingerprint (64 hex digits, colons optional)' })
      .optional(),
  })
  .strict();

const dicomPeers = z.array(dicomPeer).superRefine((peers, ctx) => {
  peers.forEach((p, i) => {
    if (peers.findIndex((q) => q.name === p.name) < i) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `peer name "${p.name}" is used twice` });
  });
});

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
            peers: dicomPeers,
            /** false (default): only registered peers may associate. */
            acceptUnknownPeers: z.boolean(),
            /** Replaced by peers (issue 12): named here so that an old config says what to do instead. */
            allowedCallingAets: z
              .never({ error: 'removed: register each sender in ingest.dimse.peers as { name, aet, hosts: [address, CIDR or host name] }' })
              .optional(),
            timeouts: z
              .object({
                /** ARTIM (PS3.8 9.1.4): connection to complete A-ASSOCIATE-RQ, and our RJ/RP to the peer's close. */
                associationRequestSeconds: numberIn(0.1, 3600),
                /** An open association without a complete PDU for this long (while it is the peer's turn) is dropped. */
                idleSeconds: numberIn(0.1, 86400),
              })
              .strict(),
            maxAssociations: intIn(1, 256),
            maxPduLength: intIn(4096, 4194304),
            minFreeDiskMb: intIn(0, 10_000_000),
            /** Listen on `port` without TLS; false: DICOM TLS only (tls.port). */
            plain: z.boolean(),
            /** DICOM TLS (PS3.15 B.9, BCP 195): TLS 1.2+, mutual certificate authentication by default. */
            tls: z
              .object({
                enabled: z.boolean(),
                port,
                certFile: pemFile.nullable(),
                keyFile: pemFile.nullable(),
                /** The CAs that sign the peers' client certificates. */
                caFile: pemFile.nullable(),
                requireClientCertificate: z.boolean(),
              })
              .strict()
              .superRefine((t, ctx) => {
                if (!t.enabled) return;
                for (const key of ['certFile', 'keyFile'] as const)
                  if (t[key] === null) ctx.addIssue({ code: 'custom', path: [key], message: 'required when tls.enabled is true' });
                if (t.requireClientCertificate && t.caFile === null)
                  ctx.addIssue({ code: 'custom', path: ['caFile'], message: 'required when requireClientCertificate is true (the CA of the peers’ certificates)' });
              }),
          })
          .strict()
          .superRefine((d, ctx) => {
            if (d.enabled && !d.plain && !d.tls.enabled) ctx.addIssue({ code: 'custom', path: ['plain'], message: 'plain is false and tls.enabled is false: the DIMSE listener would have no port' });
            if (d.plain && d.tls.enabled && d.tls.port === d.port) ctx.addIssue({ code: 'custom', path: ['tls', 'port'], message: 'must differ from ingest.dimse.port' });
          }),
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
            /** CA bundle for an https url signed by a hospital CA; null: Node's public CAs. */
            caFile: pemFile.nullable(),
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
        /** Host header names accepted besides localhost, 127.0.0.1 and [::1] (DNS rebinding guard). */
        allowedHosts: z.array(nonEmpty),
        /** HTTPS (TLS 1.2+, src/security/tls.ts); null: plain HTTP. */
        tls: z.object({ certFile: pemFile, keyFile: pemFile }).strict().nullable(),
        auth: apiAuth,
        webhookUrl: httpUrl.nullable(),
        /** HMAC-SHA256 key of the webhook's X-Gastric-AI-Signature header (e.g. GASTRIC_AI__API__WEBHOOK_SECRET_FILE). */
        webhookSecret: nonEmpty.nullable(),
      })
      .strict(),
    logging: z.object({ level: z.enum(['debug', 'info', 'warn', 'error'], { error: 'expected debug, info, warn or error' }) }).strict(),
    /** IHE ATNA audit trail (PS3.15 A.5 messages over RFC 5424 syslog; src/audit). */
    audit: z
      .object({
        enabled: z.boolean(),
        transport: z.enum(['udp', 'tcp', 'tls'], { error: 'expected udp, tcp or tls' }),
        host: nonEmpty,
        port,
        /** Mutual TLS to the audit repository (RFC 5425): our certificate and key, the repository's CA. */
        tls: z.object({ certFile: pemFile, keyFile: pemFile, caFile: pemFile }).strict().nullable(),
        enterpriseSiteId: nonEmpty.nullable(),
        /** AuditSourceID; null: node.aet. */
        sourceId: nonEmpty.nullable(),
        spoolMaxMessages: intIn(1, 10_000_000),
      })
      .strict()
      .superRefine((a, ctx) => {
        if (a.enabled && a.transport === 'tls' && a.tls === null) ctx.addIssue({ code: 'custom', path: ['tls'], message: 'required when transport is tls ({ certFile, keyFile, caFile })' });
      }),
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
