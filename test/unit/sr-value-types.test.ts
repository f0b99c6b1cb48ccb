/** SR value types, content items and templates refuse what the standard does not allow. */
import { Code, CODES, STAGE_CODES, STAGE_CONCEPT } from '../../src/dicom/codes';
import { imageRegion, probabilityOfCancer, rectangle, segmentationReferences } from '../../src/dicom/sr/content';
import { comprehensiveSr } from '../../src/dicom/sr/document';
import { measurementGroup, measurementReport, qualitativeEvaluations } from '../../src/dicom/sr/templates';
import { CodeItem, ContainerItem, ContentItemError, ImageItem, NumItem, ScoordItem, TextItem, UidRefItem } from '../../src/dicom/sr/value-types';
import { SopClass } from '../../src/dicom/uids';

const image = { sopClassUid: '1.2.840.10008.5.1.4.1.1.77.1.1', sopInstanceUid: '1.2.3.4' };
const selectedFrom = () => new ImageItem({ relationship: 'SELECTED FROM', reference: image });

describe('codes', () => {
  test('equality is by scheme and value, not meaning', () => {
    expect(new Code({ value: '69695003', scheme: 'SCT', meaning: 'Gastric structure' }).equals(CODES.stomach)).toBe(true);
    expect(new Code({ value: '69695003', scheme: 'SRT', meaning: 'Stomach' }).equals(CODES.stomach)).toBe(false);
  });
  test('refuses empty or oversized parts', () => {
    expect(() => new Code({ value: '', scheme: 'DCM', meaning: 'x' })).toThrow();
    expect(() => new Code({ value: '1', scheme: 'DCM', meaning: 'x'.repeat(65) })).toThrow();
  });
});

describe('value types validate in their constructors', () => {
  test('CODE needs a coded value and a concept name', () => {
    expect(() => new CodeItem({ relationship: 'CONTAINS', name: CODES.finding, value: 'cancer' as unknown as Code })).toThrow(ContentItemError);
    expect(() => new CodeItem({ relationship: 'CONTAINS', value: CODES.stomach } as never)).toThrow(/concept name/);
  });
  test('TEXT refuses empty text, NUM non-finite values, UIDREF non-UIDs', () => {
    expect(() => new TextItem({ relationship: 'CONTAINS', name: CODES.comment, value: ' ' })).toThrow(ContentItemError);
    expect(() => new NumItem({ relationship: 'CONTAINS', name: CODES.probabilityOfCancer, value: NaN, unit: CODES.noUnits })).toThrow(ContentItemError);
    expect(() => new UidRefItem({ relationship: 'HAS OBS CONTEXT', name: CODES.trackingUniqueIdentifier, value: '1.02.3' })).toThrow(ContentItemError);
  });
  test('SCOORD needs exactly one SELECTED FROM IMAGE and a point count that fits its graphic type', () => {
    expect(() => new ScoordItem({ relationship: 'INFERRED FROM', graphicType: 'POLYLINE', points: [[1, 1], [2, 2]] })).toThrow(/SELECTED FROM/);
    expect(() => new ScoordItem({ relationship: 'INFERRED FROM', graphicType: 'POINT', points: [[1, 1], [2, 2]], children: [selectedFrom()] })).toThrow(/POINT/);
    expect(() => new ScoordItem({ relationship: 'INFERRED FROM', graphicType: 'POLYLINE', points: [[1, NaN], [2, 2]], children: [selectedFrom()] })).toThrow();
    expect(new ScoordItem({ relationship: 'INFERRED FROM', graphicType: 'POLYLINE', points: rectangle({ x: 1, y: 2, width: 3, height: 4 }), children: [selectedFrom()] }).points).toEqual([
      [1, 2], [4, 2], [4, 6], [1, 6], [1, 2],
    ]);
  });
  test('IMAGE refuses bad UIDs, frame 0 and segment numbers outside 1-65535', () => {
    expect(() => new ImageItem({ relationship: 'CONTAINS', reference: { sopClassUid: 'abc', sopInstanceUid: '1.2' } })).toThrow(ContentItemError);
    expect(() => new ImageItem({ relationship: 'CONTAINS', reference: image, frames: [0] })).toThrow(/frame/);
    expect(() => segmentationReferences({ segmentation: image, segmentNumber: 70000, sourceImage: image })).toThrow(/segment/);
  });
  test('relationships outside PS3.3 Table A.35.3-2 are refused', () => {
    const text = new TextItem({ relationship: 'CONTAINS', name: CODES.comment, value: 'x' });
    // Only a CONTAINER may CONTAIN; SELECTED FROM is for SCOORD → IMAGE; HAS CONCEPT MOD targets TEXT/CODE only.
    expect(() => new CodeItem({ relationship: 'CONTAINS', name: CODES.finding, value: CODES.stomach, children: [text] })).toThrow(/Table A.35.3-2/);
    expect(() => new NumItem({ relationship: 'CONTAINS', name: CODES.probabilityOfCancer, value: 1, unit: CODES.noUnits, children: [selectedFrom()] })).toThrow(/SELECTED FROM/);
    const mod = new ImageItem({ relationship: 'HAS CONCEPT MOD', reference: image });
    expect(() => new ContainerItem({ name: CODES.imageLibrary, children: [mod] })).toThrow(/HAS CONCEPT MOD IMAGE/);
    expect(() => new ContainerItem({ name: CODES.imageLibrary, children: [{ relationship: 'CONTAINS' } as never] })).toThrow();
    expect(() => new TextItem({ relationship: 'REFERS TO' as never, name: CODES.comment, value: 'x' })).toThrow(/relationship/);
  });
});

describe('content items and templates', () => {
  const region = () => imageRegion({ relationship: 'INFERRED FROM', points: rectangle({ x: 0, y: 0, width: 2, height: 2 }), image });
  const group = () =>
    measurementGroup({
      trackingIdentifier: 'finding 1',
      trackingUid: '1.2.3.5',
      finding: CODES.malignantTumorOfStomach,
      findingSite: CODES.stomach,
      measurements: [probabilityOfCancer({ value: 0.5, evidence: [region()] })],
      evaluations: [new CodeItem({ relationship: 'CONTAINS', name: STAGE_CONCEPT, value: STAGE_CODES.II })],
    });

  test('probability must lie in [0, 1]', () => {
    expect(() => probabilityOfCancer({ value: 1.5 })).toThrow(/probability/);
  });
  test('the measurement group keeps the SCOORD as the NUM\'s first child (OHIF reads it there)', () => {
    const ds = group().toDataset() as { ContentSequence: Array<{ ValueType: string; ContentSequence?: Array<{ ValueType: string }> }> };
    const num = ds.ContentSequence.find((c) => c.ValueType === 'NUM')!;
    expect(num.ContentSequence![0].ValueType).toBe('SCOORD');
  });
  test('a report refuses containers that are not measurement groups, and empty evaluation lists', () => {
    const observer = { uid: '1.2.3.6' };
    const notGroup = new ContainerItem({ relationship: 'CONTAINS', name: CODES.imageLibrary });
    expect(() => measurementReport({ observer, images: [], groups: [notGroup] })).toThrow(/measurement groups/);
    expect(() => qualitativeEvaluations([])).toThrow();
    expect(measurementReport({ observer, images: [{ ...image, seriesInstanceUid: '1.2.3' }], groups: [group()] }).templateId).toBe('1500');
  });
});

describe('Comprehensive SR document', () => {
  const root = () =>
    measurementReport({ observer: { uid: '1.2.3.6' }, images: [{ ...image, seriesInstanceUid: '1.2.3' }], groups: [], evaluations: qualitativeEvaluations([new TextItem({ relationship: 'CONTAINS', name: CODES.comment, value: 'none' })]) });
  const options = () => ({
    root: root(),
    patientAndStudy: { StudyInstanceUID: '1.2.9', PatientID: 'P' },
    equipment: { Manufacturer: 'x' },
    series: { instanceUid: '1.2.10', number: 9001, description: 'AI' },
    instance: { sopInstanceUid: '1.2.11', number: 1 },
    evidence: [{ studyInstanceUid: '1.2.9', seriesInstanceUid: '1.2.3', ...image }],
    completion: 'COMPLETE' as const,
    verification: 'UNVERIFIED' as const,
  });

  test('puts the root content item in the top-level dataset and lists evidence by study and series', () => {
    const ds = comprehensiveSr(options());
    expect(ds.SOPClassUID).toBe(SopClass.ComprehensiveSr);
    expect(ds.ValueType).toBe('CONTAINER');
    expect(ds.RelationshipType).toBeUndefined();
    expect(ds.ContentTemplateSequence).toEqual([{ MappingResource: 'DCMR', TemplateIdentifier: '1500' }]);
    expect(ds.CurrentRequestedProcedureEvidenceSequence).toEqual([
      { StudyInstanceUID: '1.2.9', ReferencedSeriesSequence: [{ SeriesInstanceUID: '1.2.3', ReferencedSOPSequence: [{ ReferencedSOPClassUID: image.sopClassUid, ReferencedSOPInstanceUID: image.sopInstanceUid }] }] },
    ]);
  });
  test('refuses a root with a relationship and invalid UIDs', () => {
    const child = new ContainerItem({ relationship: 'CONTAINS', name: CODES.imageLibrary });
    expect(() => comprehensiveSr({ ...options(), root: child })).toThrow(/root/);
    expect(() => comprehensiveSr({ ...options(), instance: { sopInstanceUid: 'x', number: 1 } })).toThrow(/UID/);
    expect(() => comprehensiveSr({ ...options(), evidence: [{ studyInstanceUid: '1.2.9', seriesInstanceUid: '01.2', ...image }] })).toThrow(/UID/);
  });
});
