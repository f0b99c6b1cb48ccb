/** Association and presentation context policy (PS3.8 9.3.4, PS3.4 B.5). */
import { decideAssociation, negotiateContext, STORAGE_SOP_CLASSES } from '../../src/ingest/dimse/negotiation';
import { SopClass } from '../../src/dicom/uids';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const policy = { aet: 'GASTRIC_AI', allowedCallingAets: ['PACS', 'ENDO1'], maxAssociations: 2, minFreeDiskMb: 100 };
const facts = { callingAet: 'PACS', calledAet: 'GASTRIC_AI', activeAssociations: 0, freeDiskMb: 1000 };

describe('negotiateContext', () => {
  test('accepts every storage class we need, SEG and SR included', () => {
    for (const uid of [CT, '1.2.840.10008.5.1.4.1.1.128', '1.2.840.10008.5.1.4.1.1.77.1.1', '1.2.840.10008.5.1.4.1.1.7', '1.2.840.10008.5.1.4.1.1.66.4', '1.2.840.10008.5.1.4.1.1.88.33', '1.2.840.10008.5.1.4.1.1.88.22']) {
      expect(STORAGE_SOP_CLASSES.has(uid)).toBe(true);
    }
  });

  test('picks the first proposed syntax we support (the requestor orders by preference)', () => {
    expect(negotiateContext(CT, ['1.2.840.10008.1.2.4.100', '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.1'])).toEqual({ accept: true, transferSyntaxUid: '1.2.840.10008.1.2.4.50' });
    expect(negotiateContext(CT, ['1.2.840.10008.1.2.4.100'])).toEqual({ accept: false, reason: 'transfer-syntaxes-not-supported' });
  });

  test('verification only in uncompressed little endian; unknown classes are refused', () => {
    expect(negotiateContext(SopClass.Verification, ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2'])).toEqual({ accept: true, transferSyntaxUid: '1.2.840.10008.1.2' });
    expect(negotiateContext('1.2.840.10008.5.1.4.1.2.2.1', ['1.2.840.10008.1.2'])).toEqual({ accept: false, reason: 'abstract-syntax-not-supported' });
  });
});

describe('decideAssociation', () => {
  test('accepts an allowed AE (AE padding is not significant)', () => {
    expect(decideAssociation({ ...facts, callingAet: 'ENDO1 ', calledAet: ' GASTRIC_AI' }, policy)).toEqual({ accept: true });
    expect(decideAssociation({ ...facts, callingAet: 'ANYONE' }, { ...policy, allowedCallingAets: [] })).toEqual({ accept: true });
  });

  test('rejects with the PS3.8 result/source/reason for each cause', () => {
    const pick = (d: ReturnType<typeof decideAssociation>): unknown => (d.accept ? 'accept' : [d.why, d.result, d.source, d.reason]);
    expect(pick(decideAssociation({ ...facts, calledAet: 'OTHER' }, policy))).toEqual(['called-ae-not-ours', 1, 1, 7]);
    expect(pick(decideAssociation({ ...facts, callingAet: 'pacs' }, policy))).toEqual(['calling-ae-not-allowed', 1, 1, 3]);
    expect(pick(decideAssociation({ ...facts, activeAssociations: 2 }, policy))).toEqual(['too-many-associations', 2, 3, 2]);
    expect(pick(decideAssociation({ ...facts, freeDiskMb: 99 }, policy))).toEqual(['low-disk', 2, 3, 1]);
  });
});
