/** Secondary Capture builder (refusals, attributes) and recognising a source's transfer syntax from its Pixel Data. */
import * as fs from 'fs';
import * as path from 'path';
import { readPart10File } from '../../src/dicom/io';
import { buildSecondaryCapture, SecondaryCaptureBuildError, SecondaryCaptureOptions } from '../../src/dicom/sc/builder';
import { recogniseTransferSyntax } from '../../src/imaging/raster/source-raster';
import { deterministicUid } from '../../src/dicom/uid';
import { decodeFrame } from '../../src/imaging/decode';
import { blankRaster } from '../../src/raster/png';
import { SopClass } from '../../src/dicom/uids';

const DATA = '/work/shared/data/dicom';
const uid = (...p: string[]) => deterministicUid('sc-builder-test', ...p);

function options(over: Partial<SecondaryCaptureOptions> = {}): SecondaryCaptureOptions {
  return {
    patientAndStudy: { PatientName: 'TEST^SC', PatientID: 'T1', StudyInstanceUID: uid('study') },
    equipment: { Manufacturer: 'test', ContentDate: '20260101', ContentTime: '120000' },
    seriesInstanceUid: uid('series'),
    sopInstanceUid: uid('instance'),
    seriesNumber: 9003,
    seriesDescription: 'AI overlay',
    instanceNumber: 1,
    picture: blankRaster(5, 3, 7),
    source: { sopClassUid: '1.2.840.10008.5.1.4.1.1.77.1.1', sopInstanceUid: uid('source') },
    derivationDescription: 'map blended in - not for clinical use',
    imageComments: 'caption',
    sourceLossy: false,
    ...over,
  };
}

test('an RGB, uncompressed, burned-in Secondary Capture referencing its source', () => {
  const ds = buildSecondaryCapture(options({ sourceLossy: true, source: { sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: uid('ct'), frameNumber: 3 } }));
  expect(ds).toMatchObject({
    SOPClassUID: SopClass.SecondaryCaptureImage,
    Modality: 'OT',
    ConversionType: 'WSD',
    BurnedInAnnotation: 'YES',
    PhotometricInterpretation: 'RGB',
    PlanarConfiguration: 0,
    SamplesPerPixel: 3,
    BitsAllocated: 8,
    Rows: 3,
    Columns: 5,
    LossyImageCompression: '01',
    PatientID: 'T1',
  });
  const ref = { ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.2', ReferencedSOPInstanceUID: uid('ct'), ReferencedFrameNumber: 3 };
  expect(ds.ReferencedImageSequence).toEqual([ref]);
  expect(ds.SourceImageSequence).toEqual([ref]);
  // 5x3 RGB = 45 bytes, padded to an even length.
  expect((ds.PixelData as ArrayBuffer[])[0].byteLength).toBe(46);
});

test.each([
  ['a picture whose bytes do not match its size', { picture: { width: 4, height: 4, rgb: new Uint8Array(10) } }, /10 bytes/],
  ['a zero-sized picture', { picture: blankRaster(0, 3) }, /not a valid/],
  ['an invalid source UID', { source: { sopClassUid: '1.2', sopInstanceUid: 'abc' } }, /not a valid UID/],
  ['a derivation description longer than ST allows', { derivationDescription: 'x'.repeat(1025) }, /1024/],
])('refuses %s', (_name, over, message) => {
  expect(() => buildSecondaryCapture(options(over as Partial<SecondaryCaptureOptions>))).toThrow(SecondaryCaptureBuildError);
  expect(() => buildSecondaryCapture(options(over as Partial<SecondaryCaptureOptions>))).toThrow(message);
});

describe('recogniseTransferSyntax: the recognised syntax decodes the same pixels as the file meta says', () => {
  const cornerstone = path.join(DATA, 'cornerstone-wado-image-loader');
  const files = [
    ...fs
      .readdirSync(cornerstone)
      .filter((f) => f.startsWith('CTImage.dcm_') && !f.includes('BigEndian'))
      .map((f) => path.join(cornerstone, f)),
    ...['REF/VL1_UNC', 'RLE/VL1_RLE', 'J2KR/VL1_J2KR'].map((f) => path.join(DATA, 'nema-wg04', f)),
  ];
  test.each(files.map((f) => [path.basename(f), f]))('%s', async (_name, file) => {
    const part10 = readPart10File(file);
    const recognised = recogniseTransferSyntax(part10.dataset);
    const withMeta = decodeFrame(part10);
    const withRecognised = decodeFrame({ meta: { TransferSyntaxUID: recognised }, dataset: part10.dataset });
    // 12-bit lossy JPEG is refused by the decoder either way.
    if (!(await withMeta.then(() => true, () => false))) return expect(withRecognised).rejects.toThrow(/12-bit/);
    const [expected, actual] = [await withMeta, await withRecognised];
    expect(Buffer.from(actual.pixels.buffer, actual.pixels.byteOffset, actual.pixels.byteLength).equals(Buffer.from(expected.pixels.buffer, expected.pixels.byteOffset, expected.pixels.byteLength))).toBe(true);
  });
});
