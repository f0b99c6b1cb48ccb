/** The Part 10 meta header written in front of streamed data sets (PS3.10 7.1). */
import { readPart10, writePart10 } from '../../src/dicom/io';
import { IMPLEMENTATION_CLASS_UID } from '../../src/dicom/uid';
import { encodeFileMeta } from '../../src/ingest/dimse/file-meta';

describe('encodeFileMeta', () => {
  const dataset = { SOPClassUID: '1.2.840.10008.5.1.4.1.1.2', SOPInstanceUID: '1.2.3.45', Modality: 'CT', StudyInstanceUID: '1.2.3', SeriesInstanceUID: '1.2.3.4' };

  test('with the data set bytes appended, reads back as a Part 10 file', () => {
    const reference = writePart10(dataset, '1.2.840.10008.1.2.1');
    const referenceMetaEnd = 132 + 12 + reference.readUInt32LE(140);
    const meta = encodeFileMeta({ sopClassUid: dataset.SOPClassUID, sopInstanceUid: dataset.SOPInstanceUID, transferSyntaxUid: '1.2.840.10008.1.2.1', sourceAeTitle: ' MODALITY ' });
    const { meta: parsed, dataset: parsedDataset } = readPart10(Buffer.concat([meta, reference.subarray(referenceMetaEnd)]));
    expect(parsed).toMatchObject({
      MediaStorageSOPClassUID: dataset.SOPClassUID,
      MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
      TransferSyntaxUID: '1.2.840.10008.1.2.1',
      ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
      SourceApplicationEntityTitle: 'MODALITY',
    });
    expect(parsedDataset).toMatchObject(dataset);
  });

  test('group length covers exactly the meta elements and values are padded to even length', () => {
    const meta = encodeFileMeta({ sopClassUid: '1.2.3', sopInstanceUid: '1.2.34', transferSyntaxUid: '1.2.840.10008.1.2', sourceAeTitle: '' });
    expect(meta.subarray(0, 128).every((b) => b === 0)).toBe(true);
    expect(meta.toString('latin1', 128, 132)).toBe('DICM');
    expect(144 + meta.readUInt32LE(140)).toBe(meta.length);
    expect(meta.length % 2).toBe(0);
    expect(meta.includes(Buffer.from('1.2.3\0', 'latin1'))).toBe(true);
    // No Source AE Title element when the AE is empty.
    expect(readPart10(meta).meta.SourceApplicationEntityTitle).toBeUndefined();
  });
});
