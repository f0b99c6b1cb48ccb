import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, envOverrides, loadConfig, maskSecrets } from '../../src/config/load';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-config-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeFile(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

function problemsOf(fn: () => unknown): Array<{ path: string; message: string }> {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  test('the documented default file is a complete, valid configuration', () => {
    const { config } = loadConfig({ env: {} });
    expect(config.ingest.dimse.port).toBe(11112);
    expect(config.node.aet).toBe('GASTRIC_AI');
    expect(config.routing.rules.map((r) => r.model)).toEqual(['es-demo', 'es-demo', 'ct-demo', 'pt-demo']);
    expect(config.inference.models.map((m) => m.id)).toEqual(['es-demo', 'ct-demo', 'pt-demo']);
  });

  test('a partial override file, then environment variables, take precedence', () => {
    const file = writeFile('override.yaml', 'ingest:\n  dimse:\n    port: 11200\n    peers: [{ name: orthanc, aet: ORTHANC, hosts: [orthanc, 10.0.0.0/8] }]\nqueue: { concurrency: 2 }\n');
    const { config, sources } = loadConfig({
      file,
      env: { GASTRIC_AI__INGEST__DIMSE__PORT: '11300', GASTRIC_AI__INGEST__DIMSE__MAX_PDU_LENGTH: '131072', GASTRIC_AI__NODE__AET: 'AI_NODE' },
    });
    expect(sources).toHaveLength(2);
    expect(config.ingest.dimse.port).toBe(11300);
    expect(config.ingest.dimse.maxPduLength).toBe(131072);
    expect(config.ingest.dimse.peers).toEqual([{ name: 'orthanc', aet: 'ORTHANC', hosts: ['orthanc', '10.0.0.0/8'] }]);
    expect(config.queue.concurrency).toBe(2);
    expect(config.queue.maxAttempts).toBe(5);
    expect(config.node.aet).toBe('AI_NODE');
  });

  test('the docker-compose node configuration is valid', () => {
    const { config } = loadConfig({ file: path.join(__dirname, '..', '..', 'config', 'node.yaml'), env: {} });
    expect(config.export.target).toBe('pacs');
  });

  test('GASTRIC_AI_CONFIG names the override file when --config is not given', () => {
    const file = writeFile('env-named.json', JSON.stringify({ api: { port: 9090 } }));
    expect(loadConfig({ env: { GASTRIC_AI_CONFIG: file } }).config.api.port).toBe(9090);
  });

  test('every problem is reported with its path', () => {
    const file = writeFile(
      'bad.yaml',
      [
        'node: { aet: "THIS_AE_TITLE_IS_TOO_LONG" }',
        'ingest:',
        '  dimse: { port: 70000, maxAssociations: 0, colour: blue }',
        '  dicomweb: { url: "ftp://pacs", auth: { type: basic, username: u } }',
        'triage: { urgentProbability: 0.4, suspiciousProbability: 0.6 }',
        'export: { target: archive }',
        'inference: { engine: cuda, testTimeAugmentation: sideways }',
      ].join('\n'),
    );
    const problems = problemsOf(() => loadConfig({ file, env: { GASTRIC_AI__QUEUE__CONCURRENCY: 'many' } }));
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    expect(byPath['ingest.dimse.port']).toBe('expected integer 1-65535');
    expect(byPath['ingest.dimse.maxAssociations']).toBe('expected integer 1-256');
    expect(byPath['ingest.dimse.colour']).toBe('unknown key');
    expect(byPath['node.aet']).toMatch(/AE title/);
    expect(byPath['ingest.dicomweb.url']).toBe('expected http(s) URL');
    expect(byPath['ingest.dicomweb.auth.password']).toBeDefined();
    expect(byPath['queue.concurrency']).toBe('expected integer 1-64');
    expect(byPath['inference.engine']).toBe('expected auto, onnx or tfjs');
    expect(byPath['inference.testTimeAugmentation']).toBe('expected model, none, hflip, flips, dihedral');
    expect(byPath['triage.suspiciousProbability']).toMatch(/<= urgentProbability/);
    expect(problems.length).toBeGreaterThanOrEqual(9);
  });

  test('the DICOM peer registry is closed by default, and its entries are checked', () => {
    const { config } = loadConfig({ env: {} });
    expect(config.ingest.dimse.peers).toEqual([]);
    expect(config.ingest.dimse.acceptUnknownPeers).toBe(false);
    expect(config.ingest.dimse.timeouts).toEqual({ associationRequestSeconds: 10, idleSeconds: 60 });
    const file = writeFile(
      'peers.yaml',
      [
        'ingest:',
        '  dimse:',
        '    peers:',
        '      - { name: a, aet: A, hosts: [10.0.0.256] }',
        '      - { name: a, aet: B, hosts: [] }',
        '      - { name: c, aet: C, hosts: [pacs.lan], certificateFingerprint: "AB:CD", maxAssociations: 0 }',
        '    timeouts: { associationRequestSeconds: 0, idleSeconds: 60 }',
      ].join('\n'),
    );
    const byPath = Object.fromEntries(problemsOf(() => loadConfig({ file, env: {} })).map((p) => [p.path, p.message]));
    expect(byPath['ingest.dimse.peers.0.hosts.0']).toMatch(/IP address, CIDR range/);
    expect(byPath['ingest.dimse.peers.1.hosts']).toMatch(/at least one host/);
    expect(byPath['ingest.dimse.peers.1.name']).toMatch(/used twice/);
    expect(byPath['ingest.dimse.peers.2.certificateFingerprint']).toMatch(/SHA-256/);
    expect(byPath['ingest.dimse.peers.2.maxAssociations']).toBe('expected integer 1-256');
    expect(byPath['ingest.dimse.timeouts.associationRequestSeconds']).toBe('expected number 0.1-3600');
  });

  test('a config that still has allowedCallingAets is told to use peers', () => {
    const file = writeFile('old-allow-list.yaml', 'ingest:\n  dimse:\n    allowedCallingAets: [ORTHANC]\n');
    const problems = problemsOf(() => loadConfig({ file, env: {} }));
    expect(problems).toEqual([{ path: 'ingest.dimse.allowedCallingAets', message: expect.stringMatching(/removed: register each sender in ingest\.dimse\.peers/) }]);
  });

  test('the export target must name a destination', () => {
    const file = writeFile('export.yaml', 'export: { target: archive }\n');
    expect(problemsOf(() => loadConfig({ file, env: {} }))).toEqual([{ path: 'export.target', message: 'expected "source" or a destination name (none defined)' }]);
  });

  test('a routing pattern that is not a regular expression is a problem with its path', () => {
    const file = writeFile('routing.yaml', 'routing:\n  rules:\n    - { modality: CT, model: ct-demo, bodyPartPattern: "(" }\n');
    const problems = problemsOf(() => loadConfig({ file, env: {} }));
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe('routing.rules.0.bodyPartPattern');
    expect(problems[0].message).toMatch(/not a regular expression/);
  });

  test('routing rules name model ids from inference.models, match at least one of modality, SOP class, calling AE', () => {
    const file = writeFile(
      'models.yaml',
      [
        'inference:',
        '  models:',
        '    - { id: es-demo, dir: models/es-demo }',
        '    - { id: es-demo, dir: models/other }',
        'routing:',
        '  rules:',
        '    - { modality: ES, model: es-v2 }',
        '    - { bodyPartPattern: STOMACH, model: es-demo }',
        '    - { modality: "OT", sopClassUid: "1.2.840.10008.5.1.4.1.1.7", callingAet: ENDO_TOWER, model: es-demo }',
        '    - { sopClassUid: "1.2.x", model: es-demo }',
        '',
      ].join('\n'),
    );
    const problems = problemsOf(() => loadConfig({ file, env: {} }));
    expect(problems.map((p) => p.path).sort()).toEqual(['inference.models.1.id', 'routing.rules.0.model', 'routing.rules.1', 'routing.rules.3.sopClassUid']);
    expect(problems.find((p) => p.path === 'routing.rules.0.model')!.message).toMatch(/es-demo/);
  });

  test('unreadable and unparsable files are problems, not crashes', () => {
    const broken = writeFile('broken.yaml', 'node: [unclosed\n');
    expect(problemsOf(() => loadConfig({ file: broken, env: {} }))[0].message).toMatch(/not valid YAML/);
    expect(problemsOf(() => loadConfig({ file: path.join(tmp, 'absent.yaml'), env: {} }))[0].message).toMatch(/ENOENT/);
  });

  test('environment values parse as JSON when they can, else stay text', () => {
    expect(envOverrides({ GASTRIC_AI__A__B_C: '[1,2]', GASTRIC_AI__A__D: 'plain text', OTHER: '1' })).toEqual({ a: { bC: [1, 2], d: 'plain text' } });
  });

  test('secrets are masked for printing', () => {
    const masked = maskSecrets({ auth: { type: 'basic', username: 'u', password: 'hunter2' }, list: [{ token: 't' }] });
    expect(masked).toEqual({ auth: { type: 'basic', username: 'u', password: '********' }, list: [{ token: '********' }] });
  });
});
