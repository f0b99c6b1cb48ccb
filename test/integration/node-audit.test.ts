/**
 * The node's audit trail end to end: a node with audit enabled (TCP to a real rsyslogd), its DIMSE listener, its
 * DICOMweb poller on a real Orthanc and STOW export back to it. A refused and an accepted association (dcmtk), a study
 * stored by storescu and one polled from Orthanc, API requests with a good, a wrong and an under-privileged token, and
 * a stop: rsyslog holds a schema-valid IHE ATNA message for each, none with the patient's name or any token.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { dicomDate, readPart10File, writePart10 } from '../../src/dicom/io';
import { createDicomWebClient } from '../../src/dicomweb/client';
import { createLogger } from '../../src/logging/logger';
import { findFreePort } from '../../src/net/free-port';
import { RunningNode, startNode } from '../../src/node/node';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { listDicomFiles } from '../../src/synth/files';
import { bearer, TEST_TOKENS } from '../helpers/api-auth';
import { REPO_ROOT } from '../helpers/cli';
import { runTool } from '../helpers/dimse-listener';
import { nodeConfig, testModelsConfig, waitFor, writeTestModels } from '../helpers/node';
import { OrthancProcess, startOrthanc } from '../helpers/orthanc';
import { removeRsyslog, startRsyslog, type Rsyslog } from '../helpers/rsyslog';

jest.setTimeout(180_000);
const SCHEMA = path.join(__dirname, '../../src/audit/audit-message.rng');
const NODE_AET = 'GASTRIC_AI';
const MODALITY_AET = 'MODALITY';
const WRONG_TOKEN = 'wrong-token-0123456789abcdefghijklmnopqrstu';

let tmp: string;
let receiver: Rsyslog;
let orthanc: OrthancProcess;
let node: RunningNode | undefined;
const logs: string[] = [];

interface Study {
  studyInstanceUid: string;
  files: string[];
  sopClassUid: string;
  patientName: string;
}

/** A small synthetic endoscopy study (2 JPEG stills), its patient's name and its SOP class. */
function synthStudy(name: string, seed: number): Study {
  const out = path.join(tmp, name);
  const summary = generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out, patients: 1, seed, modalities: ['ES'], jpeg: true, normalFraction: 0, endoscopyImages: 2 });
  const study = summary.patients[0].studies[0];
  const files = listDicomFiles(path.join(out, study.folder));
  const { dataset } = readPart10File(files[0]);
  const pn = dataset.PatientName as unknown;
  const patientName = String(typeof pn === 'object' && pn ? ((pn as { Alphabetic?: string }).Alphabetic ?? (pn as unknown[])[0]) : pn);
  return { studyInstanceUid: study.studyInstanceUid, files, sopClassUid: String(dataset.SOPClassUID), patientName };
}

/** The file as acquired today: the poller queries by StudyDate from its watermark. */
function todayBytes(file: string): ArrayBuffer {
  const { meta, dataset } = readPart10File(file);
  dataset.StudyDate = dicomDate(new Date());
  return new Uint8Array(writePart10(dataset, String(meta.TransferSyntaxUID))).buffer as ArrayBuffer;
}

/** The XML after the BOM of an RFC 5424 line. */
function xmlOf(line: string): string {
  const m = /^<\d+>1 \S+ \S+ \S+ \S+ IHE\+RFC-3881 - \uFEFF(.*)$/.exec(line);
  if (!m) throw new Error(`not an RFC 5424 audit message: ${line.slice(0, 120)}`);
  return m[1];
}

interface Audit {
  xml: string;
  id: string;
  types: string[];
  outcome: string;
  action: string;
}

function audit(xml: string): Audit {
  return {
    xml,
    id: /<EventID csd-code="([^"]+)"/.exec(xml)?.[1] ?? '',
    types: [...xml.matchAll(/<EventTypeCode csd-code="([^"]+)"/g)].map((m) => m[1]),
    outcome: /EventOutcomeIndicator="([^"]+)"/.exec(xml)?.[1] ?? '',
    action: /EventActionCode="([^"]+)"/.exec(xml)?.[1] ?? '',
  };
}

/** Everything a message says, with its base64 values (details, queries) decoded. */
function plainText(xml: string): string {
  const decoded = [...xml.matchAll(/value="([A-Za-z0-9+/=]+)"|<ParticipantObjectQuery>([A-Za-z0-9+/=]*)</g)].map((m) => Buffer.from(m[1] ?? m[2], 'base64').toString('utf8'));
  return [xml, ...decoded].join('\n');
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'node-audit-'));
  receiver = await startRsyslog();
  orthanc = await startOrthanc({ aet: 'PACS' });
  const models = await writeTestModels(path.join(tmp, 'models'), ['ES']);
  const config = nodeConfig({
    node: { dataDir: path.join(tmp, 'data'), aet: NODE_AET },
    audit: { enabled: true, transport: 'tcp', host: '127.0.0.1', port: receiver.tcpPort, tls: null, enterpriseSiteId: 'Test Hospital' },
    ingest: {
      dimse: { host: '127.0.0.1', port: await findFreePort(), peers: [{ name: 'modality', aet: MODALITY_AET, hosts: ['127.0.0.1'] }], minFreeDiskMb: 0 },
      dicomweb: { enabled: true, url: orthanc.dicomWebUrl, schedule: '*/1 * * * * *', modalities: ['ES'] },
    },
    assembler: { quietSeconds: 1 },
    inference: { engine: 'onnx', threads: 1, batchSize: 4, models: testModelsConfig(models).inference.models },
    routing: testModelsConfig(models).routing,
    api: { port: 0 },
    // DIMSE studies go back to the destination with the calling AE (the same Orthanc by another name), polled ones
    // to the service they came from.
    export: { target: 'source', destinations: [{ name: 'modality-archive', type: 'stow', url: orthanc.dicomWebUrl.replace('127.0.0.1', 'localhost'), auth: { type: 'none' }, aet: MODALITY_AET }] },
  });
  node = await startNode(config, { baseDir: REPO_ROOT, logger: createLogger({ level: 'info', write: (l) => logs.push(l) }), configSources: ['(test)'] });
});

afterAll(async () => {
  await node?.stop();
  await orthanc?.stop();
  await removeRsyslog(receiver);
  if (process.env.NODE_TEST_LOG) console.log(logs.join('\n'));
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('associations, transfers both ways, queries, API access and start/stop are audited, schema-valid and without PHI', async () => {
  const running = node!;
  const port = String(running.dimsePort);
  const status = async (uid: string): Promise<string | undefined> => {
    const res = await fetch(`${running.apiUrl}/api/studies/${uid}`, { headers: bearer('viewer') });
    return res.ok ? ((await res.json()) as { status: string }).status : undefined;
  };

  // 1. An unregistered calling AE is refused.
  const refused = await runTool('echoscu', ['-aet', 'STRANGER', '-aec', NODE_AET, '127.0.0.1', port]);
  expect(refused.code).not.toBe(0);
  expect(refused.output).toMatch(/Calling AE Title Not Recognized/i);

  // 2. The registered modality stores a study; it is analysed and its results exported to Orthanc.
  const dimseStudy = synthStudy('synth-dimse', 11);
  const stored = await runTool('storescu', ['-xy', '-aet', MODALITY_AET, '-aec', NODE_AET, '127.0.0.1', port, ...dimseStudy.files]);
  expect(stored.code === 0 ? '' : stored.output).toBe('');

  // 3. A study in Orthanc, found by the poller's QIDO-RS query and retrieved by WADO-RS.
  const webStudy = synthStudy('synth-web', 12);
  await createDicomWebClient(orthanc.dicomWebUrl).storeInstances({ datasets: webStudy.files.map((f) => todayBytes(f)) });

  await waitFor('both studies analysed and exported', async () => (await status(dimseStudy.studyInstanceUid)) === 'done' && (await status(webStudy.studyInstanceUid)) === 'done', 120_000, 500);

  // 4. The API: a viewer (success), a wrong token (failure), a viewer on an operator route (restricted function).
  expect((await fetch(`${running.apiUrl}/api/worklist`, { headers: bearer('viewer') })).status).toBe(200);
  expect((await fetch(`${running.apiUrl}/api/worklist`, { headers: { authorization: `Bearer ${WRONG_TOKEN}` } })).status).toBe(401);
  expect((await fetch(`${running.apiUrl}/api/studies/${dimseStudy.studyInstanceUid}/retry`, { method: 'POST', headers: bearer('viewer') })).status).toBe(403);

  // 5. Stop: the polled transfer still gathering is reported, then Application Stop.
  await running.stop();
  node = undefined;
  const lines = await waitFor('Application Stop at the repository', () => (receiver.messages().some((l) => l.includes('csd-code="110121"')) ? receiver.messages() : undefined), 15_000, 100);
  const audits = lines.map((l) => audit(xmlOf(l)));
  const find = (what: string, match: (a: Audit) => boolean): Audit[] => {
    const found = audits.filter(match);
    if (found.length === 0) throw new Error(`no audit message for ${what}; got ${audits.map((a) => `${a.id}/${a.types.join(',')}/${a.outcome}`).join(' ')}`);
    return found;
  };
  const has = (a: Audit, id: string, type?: string, outcome?: string): boolean => a.id === id && (type === undefined || a.types.includes(type)) && (outcome === undefined || a.outcome === outcome);

  find('Application Start', (a) => has(a, '110100', '110120', '0'));
  find('Application Stop', (a) => has(a, '110100', '110121', '0'));
  find('Security Configuration', (a) => has(a, '110113', '110129', '0'));
  const accepted = find('Node Authentication accepted', (a) => has(a, '110113', '110126', '0') && a.xml.includes(`AETITLES=${MODALITY_AET}`));
  expect(accepted[0].xml).toContain('NetworkAccessPointID="127.0.0.1"');
  find('Node Authentication refused', (a) => has(a, '110113', '110126', '4') && a.xml.includes('AETITLES=STRANGER'));

  const transferred = (uid: string, action: string): Audit[] =>
    find(`Instances Transferred ${action} of ${uid}`, (a) => has(a, '110104', undefined, '0') && a.action === action && a.xml.includes(`ParticipantObjectID="${uid}"`));
  const dimseReceived = transferred(dimseStudy.studyInstanceUid, 'C');
  expect(dimseReceived).toHaveLength(1);
  expect(dimseReceived[0].xml).toContain(`<SOPClass UID="${dimseStudy.sopClassUid}" NumberOfInstances="${dimseStudy.files.length}"`);
  expect(dimseReceived[0].xml).toContain(`AETITLES=${MODALITY_AET}`);
  const webReceived = transferred(webStudy.studyInstanceUid, 'C');
  expect(webReceived[0].xml).toContain(`<SOPClass UID="${webStudy.sopClassUid}" NumberOfInstances="${webStudy.files.length}"`);
  const dimseExported = transferred(dimseStudy.studyInstanceUid, 'R')[0].xml;
  expect(dimseExported).toMatch(/<SOPClass UID="[\d.]+" NumberOfInstances="\d+"/);
  expect(dimseExported).toContain(`UserID="${MODALITY_AET}" AlternativeUserID="AETITLES=${MODALITY_AET}" UserIsRequestor="false" NetworkAccessPointID="localhost"`);
  const webExported = transferred(webStudy.studyInstanceUid, 'R')[0].xml;
  expect(webExported).toMatch(/<SOPClass UID="[\d.]+" NumberOfInstances="\d+"/);
  expect(webExported).toContain(`UserID="${orthanc.dicomWebUrl}" UserIsRequestor="false" NetworkAccessPointID="127.0.0.1"`);

  const queries = find('Query', (a) => has(a, '110112', undefined, '0'));
  expect(queries[0].xml).toContain(`ParticipantObjectID="${orthanc.dicomWebUrl}/studies"`);
  find('User Authentication success', (a) => has(a, '110114', '110122', '0') && a.xml.includes('UserID="test-viewer"'));
  find('User Authentication failure', (a) => has(a, '110114', '110122', '4'));
  find('Use of Restricted Function', (a) => has(a, '110113', '110132', '4') && a.xml.includes('/retry'));

  // Every message valid against the PS3.15 A.5.1 schema (one xmllint run for all).
  const xmlDir = path.join(tmp, 'xml');
  fs.mkdirSync(xmlDir);
  const files = audits.map((a, i) => {
    const file = path.join(xmlDir, `${i}.xml`);
    fs.writeFileSync(file, a.xml);
    return file;
  });
  execFileSync('xmllint', ['--noout', '--relaxng', SCHEMA, ...files], { stdio: ['ignore', 'pipe', 'pipe'] });

  // No patient name, no token, not even base64-encoded in a detail or query.
  const secrets = [dimseStudy.patientName, webStudy.patientName, WRONG_TOKEN, ...Object.values(TEST_TOKENS)];
  expect(dimseStudy.patientName.length).toBeGreaterThan(2);
  for (const a of audits) {
    const text = plainText(a.xml);
    for (const s of secrets) expect(text).not.toContain(s);
  }
});
