/**
 * The C-STORE SCP against the real dcmtk SCUs: echoscu, storescu with synthetic ENDO (uncompressed and JPEG
 * baseline), CT and PET files and public files in every common transfer syntax. Each stored file must be a valid
 * Part 10 file whose data set equals the sent one (SOP Instance UID and pixel data compared), and the sink must
 * receive the matching ReceivedInstance.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readPart10File, writePart10, type Dataset } from '../../src/dicom/io';
import type { ReceivedInstance } from '../../src/domain/instance';
import type { DimseListener } from '../../src/ingest/dimse/listener';
import type { Spool } from '../../src/store/spool';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../../src/synth/generate';
import { AET, startTestListener, type CollectingSink, type TestListener, runTool } from '../helpers/dimse-listener';
import { listFiles } from '../helpers/synth-files';

const DATA = '/work/shared/data/dicom';


/** Data set bytes after the file meta group (PS3.10 7.1), and the meta transfer syntax. */
function datasetOf(file: string): { ts: string; sop: string; pixels: Buffer | null; dataset: Dataset } {
  const { meta, dataset } = readPart10File(file);
  const pixels = dataset.PixelData as ArrayBuffer[] | undefined;
  return { ts: meta.TransferSyntaxUID as string, sop: dataset.SOPInstanceUID as string, pixels: pixels ? Buffer.concat(pixels.map((p) => Buffer.from(p))) : null, dataset };
}

/** A storescu association profile (-xf) proposing CT Image Storage in exactly one transfer syntax (sent as-is). */
function proposeOnly(dir: string, transferSyntaxUid: string): string[] {
  const file = path.join(dir, `storescu-${transferSyntaxUid}.cfg`);
  const config = [
    '[[TransferSyntaxes]]', '[Only]', `TransferSyntax1 = ${transferSyntaxUid}`,
    '[[PresentationContexts]]', '[Contexts]', 'PresentationContext1 = 1.2.840.10008.5.1.4.1.1.2\\Only',
    '[[Profiles]]', '[Profile]', 'PresentationContexts = Contexts',
  ];
  fs.writeFileSync(file, `${config.join('\n')}\n`);
  return ['-xf', file, 'Profile'];
}

describe('DIMSE listener: C-ECHO and C-STORE with dcmtk', () => {
  let harness: TestListener;
  let tmp: string;
  let spool: Spool;
  let sink: CollectingSink;
  let listener: DimseListener;
  let logLines: string[];

  beforeAll(async () => {
    harness = await startTestListener();
    ({ root: tmp, spool, sink, listener, lines: logLines } = harness);
  });

  afterAll(async () => {
    await harness.stop();
  });

  const storescu = (files: string[], extra: string[] = []): ReturnType<typeof runTool> =>
    runTool('storescu', ['-aet', 'MODALITY', '-aec', AET, ...extra, '127.0.0.1', String(listener.port), ...files]);

  function expectStored(sent: string): ReceivedInstance {
    const source = datasetOf(sent);
    const instance = sink.instances.find((i) => i.sopInstanceUid === source.sop);
    expect(instance).toBeDefined();
    const received = datasetOf(instance!.path);
    expect(received.sop).toBe(source.sop);
    expect(received.ts).toBe(source.ts);
    // Pixel data byte for byte; objects without pixels (SR) attribute by attribute.
    if (source.pixels) expect(received.pixels?.equals(source.pixels)).toBe(true);
    else expect(received.dataset).toEqual(source.dataset);
    expect(instance!.transferSyntaxUid).toBe(source.ts);
    expect(instance!.sizeBytes).toBe(fs.statSync(instance!.path).size);
    return instance!;
  }

  test('answers C-ECHO and reports up', async () => {
    const echo = await runTool('echoscu', ['-aet', 'MODALITY', '-aec', AET, '127.0.0.1', String(listener.port)]);
    expect(echo.code).toBe(0);
    expect(listener.status()).toMatchObject({ name: 'dimse', status: 'up', port: listener.port });
  });

  test('stores synthetic ENDO (uncompressed), CT and PET instances byte-exact', async () => {
    const out = path.join(tmp, 'synth');
    generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out, seed: 3, patients: 1, normalFraction: 0, jpeg: false, endoscopyImages: 2, ctSlices: 2, petSlices: 2 });
    const files = listFiles(out, '.dcm');
    const result = await storescu(files);
    expect(result.code).toBe(0);
    for (const f of files) {
      const instance = expectStored(f);
      const { dataset } = readPart10File(f);
      expect(instance).toMatchObject({
        studyInstanceUid: dataset.StudyInstanceUID,
        seriesInstanceUid: dataset.SeriesInstanceUID,
        sopClassUid: dataset.SOPClassUID,
        modality: dataset.Modality,
        source: 'dimse',
        callingAet: 'MODALITY',
        sourceUrl: null,
      });
      expect(instance.studyDescription).toBe(String(dataset.StudyDescription ?? ''));
      expect(instance.seriesDescription).toBe(String(dataset.SeriesDescription ?? ''));
      expect(instance.bodyPartExamined).toBe(String(dataset.BodyPartExamined ?? ''));
      expect(instance.path).toBe(path.join(spool.studiesDir, instance.studyInstanceUid, instance.seriesInstanceUid, `${instance.sopInstanceUid}.dcm`));
    }
    expect(new Set(sink.instances.map((i) => i.modality))).toEqual(new Set(['ES', 'CT', 'PT']));
    expect(fs.readdirSync(spool.incomingDir)).toEqual([]);
  });

  test('stores JPEG baseline endoscopy as JPEG (storescu --propose-jpeg8)', async () => {
    const out = path.join(tmp, 'synth-jpeg');
    generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out, seed: 4, patients: 1, normalFraction: 0, jpeg: true, modalities: ['ES'], endoscopyImages: 2 });
    const files = listFiles(out, '.dcm');
    const result = await storescu(files, ['--propose-jpeg8']);
    expect(result.code).toBe(0);
    for (const f of files) expect(expectStored(f).transferSyntaxUid).toBe('1.2.840.10008.1.2.4.50');
  });

  test('stores one CT slice in every common transfer syntax, as sent', async () => {
    const dir = path.join(DATA, 'cornerstone-wado-image-loader');
    // storescu converts between uncompressed syntaxes on the fly: propose the file's own syntax first.
    const proposal: Record<string, string[]> = { '1.2.840.10008.1.2': ['-xi'], '1.2.840.10008.1.2.1': ['-xe'], '1.2.840.10008.1.2.2': ['-xb'], '1.2.840.10008.1.2.1.99': ['-xd'] };
    const syntaxes = [...Object.keys(proposal), '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70', '1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81', '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91', '1.2.840.10008.1.2.5'];
    for (const ts of syntaxes) {
      const file = fs.readdirSync(dir).find((f) => f.startsWith('CTImage.dcm_') && f.endsWith(`_${ts}.dcm`));
      expect(file).toBeDefined();
      // Every slice has the same SOP Instance UID: clear what the previous syntax left so each is checked alone.
      sink.instances.length = 0;
      const result = await storescu([path.join(dir, file!)], proposal[ts] ?? proposeOnly(tmp, ts));
      expect({ ts, code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ ts, code: 0, output: '' });
      expectStored(path.join(dir, file!));
    }
  });

  test('stores SR and SEG objects', async () => {
    const files = [path.join(DATA, 'dcmqi/sr-example/sr.dcm'), path.join(DATA, 'dcmqi/segmentations/liver.dcm')];
    // -R: propose only the files' SOP classes (storescu's default list has no SEG).
    const result = await storescu(files, ['-R']);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
    expect(expectStored(files[0]).modality).toBe('SR');
    expect(expectStored(files[1]).modality).toBe('SEG');
  });

  test('streams a 40 MB instance to the spool', async () => {
    const sop = '1.2.826.0.1.3680043.8.498.1';
    const pixels = new Uint8Array(40 * 1024 * 1024).map((_, i) => i % 251);
    const dataset: Dataset = {
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
      SOPInstanceUID: sop,
      StudyInstanceUID: '1.2.826.0.1.3680043.8.498.2',
      SeriesInstanceUID: '1.2.826.0.1.3680043.8.498.3',
      Modality: 'OT',
      Rows: 4096,
      Columns: 5120,
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 0,
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      PixelData: [pixels.buffer],
      _vrMap: { PixelData: 'OW' },
    };
    const file = path.join(tmp, 'large.dcm');
    fs.writeFileSync(file, writePart10(dataset, '1.2.840.10008.1.2.1'));
    const result = await storescu([file], ['-xe']);
    expect(result.code).toBe(0);
    expectStored(file);
  });

  test('stored files carry a correct file meta header', async () => {
    for (const instance of sink.instances) {
      const { meta, dataset } = readPart10File(instance.path);
      expect(meta.MediaStorageSOPClassUID).toBe(dataset.SOPClassUID);
      expect(meta.MediaStorageSOPInstanceUID).toBe(dataset.SOPInstanceUID);
      expect(meta.TransferSyntaxUID).toBe(instance.transferSyntaxUid);
      expect(meta.SourceApplicationEntityTitle).toBe('MODALITY');
      const dump = await runTool('dcmdump', ['-q', '+L', instance.path]);
      expect(dump.code).toBe(0);
    }
    expect(listener.stats.instancesReceived).toBeGreaterThan(0);
    expect(listener.stats.failures).toBe(0);
  });

  test('logs UIDs, never patient names or IDs', () => {
    const log = logLines.join('\n');
    expect(log).toContain('instance stored');
    const patients = listFiles(path.join(tmp, 'synth'), '.dcm').map((f) => readPart10File(f).dataset);
    for (const p of patients) {
      for (const value of [p.PatientID, (p.PatientName as Array<{ Alphabetic: string }> | undefined)?.[0]?.Alphabetic]) {
        expect(typeof value).toBe('string');
        expect(log).not.toContain(value as string);
      }
      expect(log).toContain(p.SOPInstanceUID as string);
    }
  });
});
