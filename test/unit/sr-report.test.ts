/** The SR reader parses public TID 1500 reports and round-trips our own report (builder → Part 10 → reader). */
import * as fs from 'fs';
import { CODES, PRIORITY_CODES, PRIORITY_CONCEPT, STAGE_CODES, STAGE_CONCEPT } from '../../src/dicom/codes';
import { readPart10, readPart10File, writePart10 } from '../../src/dicom/io';
import { TransferSyntax } from '../../src/dicom/uids';
import { readContentTree, readReport } from '../../src/dicom/sr/read';
import { findings, RESULT_SERIES_DESCRIPTION, resultUids, segmentationPlan, CANCER_SEGMENT_NUMBER } from '../../src/results/common';
import { buildReport } from '../../src/results/sr';
import { syntheticResultInput } from '../helpers/result-input';

const DATA = '/work/shared/data/dicom';

describe('reads public TID 1500 reports', () => {
  test('dcmqi example: volumetric groups with a referenced segment', () => {
    const { dataset } = readPart10File(`${DATA}/dcmqi/sr-example/sr.dcm`);
    const { summary } = readReport(dataset);
    expect(CODES.imagingMeasurementReport.equals(summary.title)).toBe(true);
    expect(summary.findings.length).toBeGreaterThan(0);
    const first = summary.findings[0];
    expect(first.trackingUid).toMatch(/^[0-9.]+$/);
    expect(first.segment?.segmentNumbers[0]).toBeGreaterThanOrEqual(1);
    expect(first.measurements.length).toBeGreaterThan(0);
  });

  test('highdicom example: a planar group with an image region', () => {
    const { dataset } = readPart10File(`${DATA}/highdicom/sr_document.dcm`);
    const { summary } = readReport(dataset);
    const region = summary.findings.find((f) => f.region)?.region;
    expect(region?.graphicType).toBe('CIRCLE');
    expect(region?.image.sopInstanceUid).toMatch(/^[0-9.]+$/);
    expect(summary.findings[0].finding?.meaning).toBe('Spinal cord');
  });
});

describe('our report round-trips', () => {
  const positive = syntheticResultInput({ modality: 'ES', positive: true });
  const negative = syntheticResultInput({ modality: 'ES', positive: false });
  afterAll(() => {
    for (const i of [positive, negative]) fs.rmSync(i.dir, { recursive: true, force: true });
  });

  test('positive study: one group per finding with region, probability, stage and SEG segment', () => {
    const ds = buildReport(positive);
    const { dataset } = readPart10(writePart10(ds, TransferSyntax.ExplicitVRLittleEndian));
    expect(dataset.SeriesDescription).toBe(RESULT_SERIES_DESCRIPTION.SR);
    expect(dataset.Modality).toBe('SR');
    expect([dataset.CompletionFlag, dataset.VerificationFlag]).toEqual(['COMPLETE', 'UNVERIFIED']);
    const { summary } = readReport(dataset);
    const expected = findings(positive);
    expect(summary.findings).toHaveLength(expected.length);
    const seg = resultUids(positive.analysis.studyInstanceUid, positive.analysis.models, 'SEG', segmentationPlan(positive)[0].index);
    summary.findings.forEach((f, i) => {
      const { image } = expected[i];
      const box = image.region!.box;
      expect(f.trackingIdentifier).toBe(`Cornerstone3DTools@^0.1.0:RectangleROI:finding ${i + 1}`);
      expect(CODES.malignantTumorOfStomach.equals(f.finding)).toBe(true);
      expect(CODES.stomach.equals(f.findingSite)).toBe(true);
      expect(f.probability).toBeCloseTo(image.cancerProbability, 5);
      expect(STAGE_CODES.III.equals(f.stage)).toBe(true);
      expect(f.region?.graphicType).toBe('POLYLINE');
      expect(f.region?.points[0]).toEqual([box.x, box.y]);
      expect(f.region?.points[2]).toEqual([box.x + box.width, box.y + box.height]);
      expect(f.region?.image.sopInstanceUid).toBe(image.sopInstanceUid);
      expect(f.segment).toEqual({ sopInstanceUid: seg.sopInstanceUid, segmentNumbers: [CANCER_SEGMENT_NUMBER] });
      expect(f.algorithm).toEqual({ name: positive.analysis.models[0].id, version: positive.analysis.models[0].version });
    });
    const value = (name: typeof STAGE_CONCEPT) => summary.evaluations.find((e) => name.equals(e.name))?.value;
    expect(CODES.yes.equals(value(CODES.malignantTumorOfStomach) as never)).toBe(positive.analysis.suspicious);
    expect(PRIORITY_CODES[positive.analysis.priority].equals(value(PRIORITY_CONCEPT) as never)).toBe(true);
    expect(String(value(CODES.probabilityOfCancer))).toContain(positive.analysis.cancerProbability.toFixed(3));
    expect(summary.evaluations.some((e) => typeof e.value === 'string' && e.value.includes('not for clinical use'))).toBe(true);
    // The re-read tree serialises back to the same content.
    expect(readContentTree(dataset).toDataset().ContentSequence).toEqual(readContentTree(ds).toDataset().ContentSequence);
  });

  test('negative study: no measurement group, says so, and is deterministic', () => {
    const ds = buildReport(negative);
    const { summary } = readReport(readPart10(writePart10(ds, TransferSyntax.ExplicitVRLittleEndian)).dataset);
    expect(summary.findings).toEqual([]);
    expect(summary.evaluations.find((e) => CODES.malignantTumorOfStomach.equals(e.name))?.value).toEqual(CODES.no);
    expect(summary.evaluations.some((e) => typeof e.value === 'string' && /No suspicious region/.test(e.value))).toBe(true);
    expect(buildReport(negative).SOPInstanceUID).toBe(ds.SOPInstanceUID);
    expect(ds.StudyInstanceUID).toBe(negative.analysis.studyInstanceUid);
  });
});
