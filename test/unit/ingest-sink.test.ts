/** The node's InstanceSink: our own result objects are acknowledged and deleted, everything else is stored. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ReceivedInstance } from '../../src/domain/instance';
import { createIngestSink } from '../../src/ingest/sink';
import { createLogger } from '../../src/logging/logger';

describe('createIngestSink', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-sink-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function instance(sop: string, seriesDescription: string, source: ReceivedInstance['source'] = 'dimse'): ReceivedInstance {
    const file = path.join(dir, `${sop}.dcm`);
    fs.writeFileSync(file, Buffer.alloc(4));
    return {
      studyInstanceUid: '1.2.3',
      seriesInstanceUid: '1.2.3.1',
      sopInstanceUid: sop,
      sopClassUid: '1.2.840.10008.5.1.4.1.1.88.33',
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      modality: 'SR',
      bodyPartExamined: '',
      studyDescription: '',
      seriesDescription,
      path: file,
      sizeBytes: 4,
      source,
      callingAet: source === 'dimse' ? 'PACS' : null,
      sourceUrl: source === 'dicomweb' ? 'http://pacs/dicom-web' : null,
      receivedAt: new Date(),
    };
  }

  function setUp() {
    const stored: ReceivedInstance[] = [];
    const accepted: ReceivedInstance[] = [];
    const lines: string[] = [];
    const sink = createIngestSink({
      store: { accept: async (i) => void stored.push(i) },
      onAccepted: (i) => accepted.push(i),
      logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
    });
    return { sink, stored, accepted, lines };
  }

  test.each(['AI report - not for clinical use', 'AI:SEG', 'AI overlay'])('our own result object ("%s") is acknowledged, deleted and not stored', async (description) => {
    const { sink, stored, accepted, lines } = setUp();
    const own = instance('1.2.3.1.9', description, 'dicomweb');
    await expect(sink.accept(own)).resolves.toBeUndefined();
    expect(fs.existsSync(own.path)).toBe(false);
    expect(stored).toEqual([]);
    expect(accepted).toEqual([]);
    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ msg: 'own result object received back: ignored', sopInstanceUid: '1.2.3.1.9' })]);
  });

  test('every other instance is stored, keeps its file and is reported once stored', async () => {
    const { sink, stored, accepted } = setUp();
    const images = [instance('1.2.3.1.1', 'EGD stills'), instance('1.2.3.1.2', 'AIRWAY survey'), instance('1.2.3.1.3', '')];
    for (const i of images) await sink.accept(i);
    expect(stored).toEqual(images);
    expect(accepted).toEqual(images);
    for (const i of images) expect(fs.existsSync(i.path)).toBe(true);
  });

  test('a store that refuses: the error reaches the ingest path and nothing is reported', async () => {
    const accepted: ReceivedInstance[] = [];
    const sink = createIngestSink({ store: { accept: () => Promise.reject(new Error('disk I/O error')) }, onAccepted: (i) => accepted.push(i), logger: createLogger({ write: () => undefined }) });
    const image = instance('1.2.3.1.1', 'EGD stills');
    await expect(sink.accept(image)).rejects.toThrow('disk I/O error');
    expect(accepted).toEqual([]);
    expect(fs.existsSync(image.path)).toBe(true);
  });
});
