/** buildSegmentations: one SEG per plan part, frames from the findings, geometry copied (CT) or synthesised (ES). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readSegmentation } from '../../src/dicom/seg/read';
import { CANCER_SEGMENT_NUMBER, findings, RESULT_SERIES_DESCRIPTION, resultUids, segmentationPlan } from '../../src/results/common';
import { buildSegmentations } from '../../src/results/seg';
import { syntheticResultInput } from '../helpers/result-input';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seg-results-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const dir = () => fs.mkdtempSync(path.join(tmp, 'study-'));
type Item = Record<string, any>;

test('ES: patient/study copied, new series, one AUTOMATIC segment, synthesised geometry in its own frame of reference', () => {
  const input = syntheticResultInput({ modality: 'ES', positive: true, dir: dir() });
  const segs = buildSegmentations(input);
  const plan = segmentationPlan(input);
  expect(segs).toHaveLength(plan.length);
  const seg = segs[0];
  const source = input.sources.get(plan[0].images[0].sopInstanceUid) as Item;
  const uids = resultUids(input.analysis.studyInstanceUid, input.analysis.models, 'SEG', 0);
  expect(seg).toMatchObject({
    Modality: 'SEG',
    PatientID: source.PatientID,
    StudyInstanceUID: source.StudyInstanceUID,
    SeriesInstanceUID: uids.seriesInstanceUid,
    SOPInstanceUID: uids.sopInstanceUid,
    SeriesDescription: RESULT_SERIES_DESCRIPTION.SEG,
    SegmentationType: 'BINARY',
    NumberOfFrames: plan[0].images.length,
  });
  expect(seg.SeriesInstanceUID).not.toBe(source.SeriesInstanceUID);
  const segment = (seg.SegmentSequence as Item[])[0];
  expect(segment).toMatchObject({ SegmentNumber: CANCER_SEGMENT_NUMBER, SegmentAlgorithmType: 'AUTOMATIC', SegmentAlgorithmName: 'es-test' });
  expect(segment.SegmentationAlgorithmIdentificationSequence[0]).toMatchObject({ AlgorithmName: 'es-test', AlgorithmVersion: '0.0.1' });
  expect(segment.SegmentedPropertyCategoryCodeSequence[0].CodeValue).toBe('49755003');
  expect(segment.AnatomicRegionSequence[0].CodeValue).toBe('69695003');
  // Endoscopy has no geometry: 1 mm pixels, axial, frames stacked by index (what OHIF needs to draw the SEG).
  const shared = (seg.SharedFunctionalGroupsSequence as Item[])[0];
  expect(shared.PixelMeasuresSequence[0].PixelSpacing).toEqual([1, 1]);
  expect(shared.PlaneOrientationSequence[0].ImageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0]);
  expect((seg.PerFrameFunctionalGroupsSequence as Item[]).map((f) => f.PlanePositionSequence[0].ImagePositionPatient)).toEqual(plan[0].images.map((_, i) => [0, 0, i]));
  expect(seg.FrameOfReferenceUID).toMatch(/^2\.25\.\d+$/);
  // Deterministic: a rerun gives the same UIDs and frame of reference.
  const again = buildSegmentations(input)[0];
  expect([again.SOPInstanceUID, again.FrameOfReferenceUID]).toEqual([seg.SOPInstanceUID, seg.FrameOfReferenceUID]);
  // Frames reference their source images, in plan order.
  expect(readSegmentation(seg).frames.map((f) => f.referencedSopInstanceUid)).toEqual(plan[0].images.map((i) => i.sopInstanceUid));
});

test('CT: geometry and frame of reference copied from the source slices; FRACTIONAL holds the map x255', () => {
  const input = syntheticResultInput({ modality: 'CT', positive: true, dir: dir() });
  const [seg] = buildSegmentations({ ...input, segmentationType: 'FRACTIONAL' });
  const images = segmentationPlan(input)[0].images;
  const sources = images.map((i) => input.sources.get(i.sopInstanceUid) as Item);
  expect(seg.FrameOfReferenceUID).toBe(sources[0].FrameOfReferenceUID);
  const perFrame = seg.PerFrameFunctionalGroupsSequence as Item[];
  perFrame.forEach((f, i) => expect(f.PlanePositionSequence[0].ImagePositionPatient).toEqual(sources[i].ImagePositionPatient));
  const shared = (seg.SharedFunctionalGroupsSequence as Item[])[0];
  expect(shared.PixelMeasuresSequence[0].PixelSpacing).toEqual(sources[0].PixelSpacing);
  expect(shared.PlaneOrientationSequence[0].ImageOrientationPatient).toEqual(sources[0].ImageOrientationPatient);
  const read = readSegmentation(seg);
  const map = findings(input)[0].map;
  expect(Array.from(read.frames[0].mask)).toEqual(Array.from(map.probability, (p) => Math.round(p * 255)));
});

test('a study without findings has no SEG', () => {
  const input = syntheticResultInput({ modality: 'ES', positive: false, dir: dir() });
  expect(buildSegmentations(input)).toEqual([]);
});
