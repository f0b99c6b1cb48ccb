/** Segmentation builder: refuses invalid input, and what it builds reads back (ours and dcmqi's liver.dcm). */
import * as path from 'path';
import { readPart10, readPart10File, writePart10 } from '../../src/dicom/io';
import { TransferSyntax } from '../../src/dicom/uids';
import { buildSegmentation, SegmentationBuildError, SegmentationOptions } from '../../src/dicom/seg/builder';
import { SEG_CODES } from '../../src/dicom/seg/codes';
import { readSegmentation } from '../../src/dicom/seg/read';
import { SegmentDescription } from '../../src/dicom/seg/segment';
import { deterministicUid } from '../../src/dicom/uid';
import { SopClass } from '../../src/dicom/uids';

const DATA = '/work/shared/data/dicom';
const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
const uid = (...p: string[]) => deterministicUid('seg-builder-test', ...p);

const segment = (over: Partial<SegmentDescription> = {}): SegmentDescription => ({
  number: 1,
  label: 'Lesion',
  category: SEG_CODES.morphologicallyAbnormalStructure,
  type: SEG_CODES.neoplasm,
  anatomicRegion: SEG_CODES.stomach,
  algorithmType: 'AUTOMATIC',
  algorithm: { name: 'es-test', version: '0.0.1' },
  ...over,
});

/** 7x5 frames (35 pixels: not a multiple of 8), three source images, two segments. */
function options(over: Partial<SegmentationOptions> = {}): SegmentationOptions {
  const rows = 5;
  const columns = 7;
  const frames = [0, 1, 2].map((n) => ({
    segmentNumber: n === 2 ? 2 : 1,
    source: { sopClassUid: CT_IMAGE, sopInstanceUid: uid('image', String(n)), seriesInstanceUid: uid('series') },
    plane: { imagePositionPatient: [0, 0, n * 2.5] as [number, number, number], imageOrientationPatient: [1, 0, 0, 0, 1, 0] as [number, number, number, number, number, number], pixelSpacing: [0.8, 0.8] as [number, number], sliceThickness: 2.5 },
    mask: Uint8Array.from({ length: rows * columns }, (_, i) => ((i + n) % 3 === 0 ? 255 : (i * 11) % 256)),
  }));
  return {
    patientAndStudy: { PatientName: 'TEST^SEG', PatientID: 'T1', PatientBirthDate: '', PatientSex: '', StudyInstanceUID: uid('study'), StudyDate: '', StudyTime: '', ReferringPhysicianName: '', StudyID: '', AccessionNumber: '' },
    equipment: { Manufacturer: 'test', ManufacturerModelName: 'test', SoftwareVersions: '1', ContentDate: '20260101', ContentTime: '120000' },
    deviceSerialNumber: '2.25.1',
    seriesInstanceUid: uid('seg-series'),
    sopInstanceUid: uid('seg-instance'),
    seriesNumber: 9002,
    seriesDescription: 'test SEG',
    instanceNumber: 1,
    frameOfReferenceUid: uid('for'),
    contentLabel: 'TEST',
    contentDescription: 'test',
    rows,
    columns,
    type: 'BINARY',
    segments: [segment(), segment({ number: 2, label: 'Other' })],
    frames,
    ...over,
  };
}

const roundTrip = (o: SegmentationOptions) => readSegmentation(readPart10(writePart10(buildSegmentation(o), TransferSyntax.ExplicitVRLittleEndian)).dataset);

describe('buildSegmentation refuses invalid input', () => {
  test.each([
    ['segment number 0', { segments: [segment({ number: 0 })] }, /outside 1..65535/],
    ['segment number 65536', { segments: [segment({ number: 65536 })] }, /outside 1..65535/],
    ['automatic segment without algorithm', { segments: [segment({ algorithm: undefined }), segment({ number: 2 })] }, /algorithm identification/],
    ['semi-automatic segment without version', { segments: [segment({ algorithmType: 'SEMIAUTOMATIC', algorithm: { name: 'x', version: '' } }), segment({ number: 2 })] }, /algorithm identification/],
    ['duplicate segment numbers', { segments: [segment(), segment()] }, /used twice/],
    ['a frame of an undescribed segment', { segments: [segment()] }, /segment 2, which is not described/],
    ['a segmentation type other than BINARY/FRACTIONAL', { type: 'LABELMAP' as never }, /BINARY or FRACTIONAL/],
    ['frames of the wrong size', { rows: 6 }, /has 35 pixels, but the segmentation is 7x6/],
    ['no frames', { frames: [] }, /at least one frame/],
    ['an invalid UID', { sopInstanceUid: '1.02.3' }, /not a valid UID/],
    ['a content label that is not CS', { contentLabel: 'lower case' }, /content label/],
    ['a category that is not a code', { segments: [segment({ category: { CodeValue: '', CodingSchemeDesignator: 'SCT', CodeMeaning: 'x' } }), segment({ number: 2 })] }, /coded concepts/],
  ])('%s', (_name, over, message) => {
    expect(() => buildSegmentation(options(over as Partial<SegmentationOptions>))).toThrow(SegmentationBuildError);
    expect(() => buildSegmentation(options(over as Partial<SegmentationOptions>))).toThrow(message);
  });

  test('a MANUAL segment needs no algorithm', () => {
    const ds = buildSegmentation(options({ segments: [segment({ algorithmType: 'MANUAL', algorithm: undefined }), segment({ number: 2 })] }));
    expect(ds.SOPClassUID).toBe(SopClass.Segmentation);
  });
});

describe('round trip through Part 10 and readSegmentation', () => {
  test('BINARY: bit-packed masks unpack to the input (non-zero = 1)', () => {
    const o = options();
    const read = roundTrip(o);
    expect(read).toMatchObject({ rows: 5, columns: 7, type: 'BINARY' });
    expect(read.segments.map((s) => [s.number, s.label, s.type?.CodeValue, s.algorithmType, s.algorithmName])).toEqual([
      [1, 'Lesion', '108369006', 'AUTOMATIC', 'es-test'],
      [2, 'Other', '108369006', 'AUTOMATIC', 'es-test'],
    ]);
    read.frames.forEach((f, i) => {
      expect(f.segmentNumber).toBe(o.frames[i].segmentNumber);
      expect(f.referencedSopInstanceUid).toBe(o.frames[i].source.sopInstanceUid);
      expect(Array.from(f.mask)).toEqual(Array.from(o.frames[i].mask, (v) => (v ? 1 : 0)));
    });
  });

  test('FRACTIONAL: 8-bit values come back unchanged, with the fractional attributes', () => {
    const o = options({ type: 'FRACTIONAL' });
    const ds = buildSegmentation(o);
    expect(ds).toMatchObject({ BitsAllocated: 8, SegmentationFractionalType: 'PROBABILITY', MaximumFractionalValue: 255 });
    const read = roundTrip(o);
    read.frames.forEach((f, i) => expect(Array.from(f.mask)).toEqual(Array.from(o.frames[i].mask)));
  });

  test('geometry and references: shared orientation and spacing, per-frame position, dimension indices', () => {
    const ds = buildSegmentation(options());
    const shared = (ds.SharedFunctionalGroupsSequence as Array<Record<string, any>>)[0];
    expect(shared.PlaneOrientationSequence[0].ImageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0]);
    expect(shared.PixelMeasuresSequence[0]).toMatchObject({ PixelSpacing: [0.8, 0.8], SliceThickness: 2.5 });
    const perFrame = ds.PerFrameFunctionalGroupsSequence as Array<Record<string, any>>;
    expect(perFrame.map((f) => f.PlanePositionSequence[0].ImagePositionPatient[2])).toEqual([0, 2.5, 5]);
    expect(perFrame.map((f) => f.FrameContentSequence[0].DimensionIndexValues)).toEqual([[1, 1], [1, 2], [2, 3]]);
    expect(perFrame[0].DerivationImageSequence[0].SourceImageSequence[0].PurposeOfReferenceCodeSequence[0].CodeValue).toBe('121322');
    expect((ds.ReferencedSeriesSequence as Array<Record<string, any>>)[0].ReferencedInstanceSequence).toHaveLength(3);
  });
});

test('reads dcmqi liver.dcm (3 bit-packed 512x512 frames of one segment)', () => {
  const { dataset } = readPart10File(path.join(DATA, 'dcmqi/segmentations/liver.dcm'));
  const read = readSegmentation(dataset);
  expect(read).toMatchObject({ rows: 512, columns: 512, type: 'BINARY' });
  expect(read.segments).toEqual([
    { number: 1, label: 'Liver', category: { CodeValue: 'T-D0050', CodingSchemeDesignator: 'SRT', CodeMeaning: 'Tissue' }, type: { CodeValue: 'T-62000', CodingSchemeDesignator: 'SRT', CodeMeaning: 'Liver' }, algorithmType: 'SEMIAUTOMATIC', algorithmName: 'SlicerEditor' },
  ]);
  expect(read.frames).toHaveLength(3);
  expect(read.frames[0].referencedSopInstanceUid).toBe('1.2.392.200103.20080913.113635.2.2009.6.22.21.43.10.23433.1');
  // Set pixels per frame and the first set pixel of frame 1, counted independently on the raw Pixel Data that
  // dcmtk's `dcmdump +W` extracts (frames are byte-aligned here: 512x512 bits = 32768 bytes).
  expect(read.frames.map((f) => f.segmentNumber)).toEqual([1, 1, 1]);
  expect(read.frames.map((f) => f.mask.reduce((n, v) => n + v, 0))).toEqual([36233, 35645, 35220]);
  expect(read.frames[0].mask.indexOf(1)).toBe(74494);
});
