/** Header reading of spooled instances: from the in-memory prefix, growing from disk, and truncation checks. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readPart10File } from '../../src/dicom/io';
import { readInstanceHeader, MalformedInstanceError, type HeaderSource } from '../../src/ingest/dimse/instance-header';

const DATA = '/work/shared/data/dicom';
const CT = path.join(DATA, 'cornerstone-wado-image-loader');

/** A header source for an existing Part 10 file: the data set starts after its meta group. */
function sourceOf(file: string, prefixBytes: number): HeaderSource {
  const bytes = fs.readFileSync(file);
  const datasetOffset = 132 + 12 + bytes.readUInt32LE(140);
  const ts = /1\.2\.840\.10008\.[0-9.]+/.exec(bytes.toString('latin1', 132, datasetOffset).split('\u0010\u0000UI')[1] ?? '')?.[0] ?? '';
  return { path: file, sizeBytes: bytes.length, prefix: bytes.subarray(0, prefixBytes), datasetOffset, transferSyntaxUid: ts.replace(/\.$/, '') };
}

const ctFile = (ts: string): string => path.join(CT, fs.readdirSync(CT).find((f) => f.startsWith('CTImage.dcm_') && f.endsWith(`_${ts}.dcm`))!);

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dimse-header-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function truncatedCopy(file: string, keep: number): string {
  const out = path.join(fs.mkdtempSync(path.join(scratch, 'f-')), path.basename(file));
  fs.writeFileSync(out, fs.readFileSync(file).subarray(0, keep));
  return out;
}

describe('readInstanceHeader', () => {
  test.each(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.5'])(
    'reads the CT header in %s, from a short prefix too',
    async (ts) => {
      for (const prefix of [300, 1 << 20]) {
        const source = sourceOf(ctFile(ts), prefix);
        expect(source.transferSyntaxUid).toBe(ts);
        const header = await readInstanceHeader(source);
        expect(header.SOPInstanceUID).toBe(readPart10File(source.path).dataset.SOPInstanceUID);
        expect(header.Modality).toBe('CT');
        expect(header.PixelData).toBeUndefined();
      }
    },
  );

  test('reads an SR (no pixel data) to the end of the file', async () => {
    const header = await readInstanceHeader(sourceOf(path.join(DATA, 'dcmqi/sr-example/sr.dcm'), 512));
    expect(header.Modality).toBe('SR');
  });

  test('refuses a data set cut inside defined-length pixel data', async () => {
    const file = truncatedCopy(ctFile('1.2.840.10008.1.2.1'), 20000);
    await expect(readInstanceHeader(sourceOf(file, 1 << 20))).rejects.toThrow(MalformedInstanceError);
  });

  test('refuses a data set cut inside encapsulated fragments', async () => {
    const full = ctFile('1.2.840.10008.1.2.4.90');
    const file = truncatedCopy(full, fs.statSync(full).size - 100);
    await expect(readInstanceHeader(sourceOf(file, 1 << 20))).rejects.toThrow(/Sequence Delimitation/);
  });

  test('refuses a data set cut inside its header', async () => {
    const file = truncatedCopy(ctFile('1.2.840.10008.1.2.1'), 700);
    await expect(readInstanceHeader(sourceOf(file, 300))).rejects.toThrow(MalformedInstanceError);
  });
});
