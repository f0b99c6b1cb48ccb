/**
 * SEG and SC overlay objects built from synthetic studies pass dciodvfy (dicom3tools: no "Error" line) once written as
 * Explicit VR Little Endian Part 10 files: ES (plain and JPEG source), CT and PT, BINARY and FRACTIONAL, and the SC
 * of a negative study. The SEG also reads back to the masks it was built from.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Dataset, readPart10, writePart10 } from '../../src/dicom/io';
import { TransferSyntax } from '../../src/dicom/uids';
import { enlargeToWidth } from '../../src/dicom/sc/overlay';
import { sourceRaster } from '../../src/imaging/raster/source-raster';
import { readSegmentation } from '../../src/dicom/seg/read';
import { ResultInput } from '../../src/results/common';
import { buildOverlays } from '../../src/results/sc';
import { buildSegmentations } from '../../src/results/seg';
import { syntheticResultInput } from '../helpers/result-input';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-seg-sc-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * The SC shows its source image: row 0 (no region, no caption there) equals the source picture, while the bottom
 * rows, where the caption is burned in, differ from it in many pixels.
 */
async function expectCaptionOverSource(sc: Dataset, input: ResultInput): Promise<void> {
  const ref = (sc.ReferencedImageSequence as Dataset[])[0];
  const source = input.sources.get(String(ref.ReferencedSOPInstanceUID)) as Dataset;
  const picture = enlargeToWidth(await sourceRaster(source, 0), 480);
  const width = Number(sc.Columns);
  const height = Number(sc.Rows);
  expect([width, height]).toEqual([picture.width, picture.height]);
  const rgb = new Uint8Array((sc.PixelData as ArrayBuffer[])[0]).subarray(0, width * height * 3);
  expect(Buffer.from(rgb.subarray(0, width * 3)).equals(Buffer.from(picture.rgb.subarray(0, width * 3)))).toBe(true);
  const band = (height - 12) * width * 3;
  let differing = 0;
  for (let i = band; i < width * height * 3; i++) if (rgb[i] !== picture.rgb[i]) differing++;
  expect(differing).toBeGreaterThan(width * 3);
}

function dciodvfyErrors(ds: Dataset, name: string): string[] {
  const file = path.join(tmp, `${name}.dcm`);
  fs.writeFileSync(file, writePart10(ds, TransferSyntax.ExplicitVRLittleEndian));
  const r = spawnSync('dciodvfy', ['-new', file], { encoding: 'utf8' });
  if (r.error) throw new Error(`dciodvfy not runnable (Debian package dicom3tools): ${r.error.message}`);
  return `${r.stdout}\n${r.stderr}`
    .split('\n')
    .filter((l) => l.includes('Error'))
    .map((l) => `${name}: ${l}`);
}

const cases: Array<[string, { modality: 'ES' | 'CT' | 'PT'; jpeg?: boolean }]> = [
  ['ES plain', { modality: 'ES' }],
  ['ES JPEG', { modality: 'ES', jpeg: true }],
  ['CT', { modality: 'CT' }],
  ['PT', { modality: 'PT' }],
];

describe.each(cases)('positive %s study', (name, options) => {
  let input: ResultInput;
  beforeAll(() => {
    input = syntheticResultInput({ ...options, positive: true, dir: fs.mkdtempSync(path.join(tmp, 'study-')) });
  });

  test.each(['BINARY', 'FRACTIONAL'] as const)('%s SEG has no dciodvfy errors and reads back', (type) => {
    const segs = buildSegmentations({ ...input, segmentationType: type });
    expect(segs.length).toBeGreaterThan(0);
    const errors = segs.flatMap((seg, i) => dciodvfyErrors(seg, `${name.replace(/\s/g, '-')}-${type}-${i}`));
    expect(errors).toEqual([]);
    // Written and re-read, the first frame's mask matches the map it came from.
    const read = readSegmentation(readPart10(writePart10(segs[0], TransferSyntax.ExplicitVRLittleEndian)).dataset);
    expect(read.type).toBe(type);
    const frame = read.frames[0];
    const map = input.maps.find((m) => m.sopInstanceUid === frame.referencedSopInstanceUid);
    expect(map).toBeDefined();
    const expected = Uint8Array.from(map!.probability, (p) => (type === 'BINARY' ? (p >= 0.5 ? 1 : 0) : Math.round(p * 255)));
    expect(Buffer.from(frame.mask).equals(Buffer.from(expected))).toBe(true);
  });

  test('SC overlays have no dciodvfy errors and carry a caption', async () => {
    const overlays = await buildOverlays(input);
    expect(overlays.length).toBeGreaterThan(0);
    const errors = overlays.flatMap((sc, i) => dciodvfyErrors(sc, `${name.replace(/\s/g, '-')}-SC-${i}`));
    expect(errors).toEqual([]);
    for (const sc of overlays) {
      expect(String(sc.ImageComments)).toMatch(/^Malignant tumour of stomach p=0\.91 stage III - AI result - not for clinical use$/);
      await expectCaptionOverSource(sc, input);
    }
  });
});

test('SC overlay of a negative study has no dciodvfy errors', async () => {
  const input = syntheticResultInput({ modality: 'ES', positive: false, dir: fs.mkdtempSync(path.join(tmp, 'negative-')) });
  expect(buildSegmentations(input)).toEqual([]);
  const overlays = await buildOverlays(input);
  expect(overlays).toHaveLength(1);
  expect(String(overlays[0].ImageComments)).toContain('No suspicious finding');
  expect(dciodvfyErrors(overlays[0], 'negative-SC')).toEqual([]);
  await expectCaptionOverSource(overlays[0], input);
});
