/** One complete C-STORE data set → spool + sink, or a PS3.4 B.2.3 failure status. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writePart10, type Dataset } from '../../src/dicom/io';
import type { InstanceSink, ReceivedInstance } from '../../src/domain/instance';
import { encodeFileMeta } from '../../src/ingest/dimse/file-meta';
import type { IncomingFileResult } from '../../src/ingest/dimse/incoming-file';
import { storeInstance, StoreStatus, type StoreCommand } from '../../src/ingest/dimse/store-instance';
import { Spool } from '../../src/store/spool';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const TS = '1.2.840.10008.1.2.1';

class CollectingSink implements InstanceSink {
  readonly instances: ReceivedInstance[] = [];
  refuse = false;
  async accept(instance: ReceivedInstance): Promise<void> {
    if (this.refuse) throw new Error('store unavailable');
    this.instances.push(instance);
  }
}

const dataset: Dataset = {
  SOPClassUID: CT,
  SOPInstanceUID: '1.2.3.4.5',
  StudyInstanceUID: '1.2.3',
  SeriesInstanceUID: '1.2.3.4',
  Modality: 'CT',
  BodyPartExamined: 'STOMACH',
  StudyDescription: 'CT abdomen',
  SeriesDescription: 'Portal venous',
};

describe('storeInstance', () => {
  let spool: Spool;
  let sink: CollectingSink;
  beforeEach(() => {
    spool = new Spool(fs.mkdtempSync(path.join(os.tmpdir(), 'dimse-store-instance-')));
    sink = new CollectingSink();
  });
  afterEach(() => fs.rmSync(spool.root, { recursive: true, force: true }));

  /** Writes an incoming file the way the SCP does: our meta header, then the data set bytes. */
  function incoming(ds: Dataset, command: StoreCommand): { file: IncomingFileResult; datasetOffset: number } {
    const part10 = writePart10(ds, TS);
    const datasetBytes = part10.subarray(144 + part10.readUInt32LE(140));
    const meta = encodeFileMeta({ sopClassUid: command.affectedSopClassUid, sopInstanceUid: command.affectedSopInstanceUid, transferSyntaxUid: TS, sourceAeTitle: command.callingAet });
    const content = Buffer.concat([meta, datasetBytes]);
    const filePath = spool.incomingPath();
    fs.writeFileSync(filePath, content);
    return { file: { path: filePath, sizeBytes: content.length, datasetBytes: datasetBytes.length, prefix: content, writeError: null }, datasetOffset: meta.length };
  }

  const command: StoreCommand = { affectedSopClassUid: CT, affectedSopInstanceUid: '1.2.3.4.5', transferSyntaxUid: TS, callingAet: 'PACS' };

  test('commits the file and hands the instance to the sink', async () => {
    const { file, datasetOffset } = incoming(dataset, command);
    const instance = await storeInstance(file, command, { spool, sink, datasetOffset });
    expect(instance).toMatchObject({ studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.4', sopInstanceUid: '1.2.3.4.5', sopClassUid: CT, transferSyntaxUid: TS, modality: 'CT', bodyPartExamined: 'STOMACH', studyDescription: 'CT abdomen', seriesDescription: 'Portal venous', source: 'dimse', callingAet: 'PACS', sourceUrl: null, sizeBytes: file.sizeBytes });
    expect(spool.studyFiles('1.2.3')).toEqual([instance.path]);
    expect(sink.instances).toEqual([instance]);
    expect(fs.readdirSync(spool.incomingDir)).toEqual([]);
  });

  test.each([
    ['SOP Instance UID differs from the command', { ...command, affectedSopInstanceUid: '1.2.3.9' }, dataset, StoreStatus.DataSetMismatch],
    ['SOP Class differs from the command', { ...command, affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.4' }, dataset, StoreStatus.DataSetMismatch],
    ['no Series Instance UID', command, { ...dataset, SeriesInstanceUID: undefined }, StoreStatus.CannotUnderstand],
    ['an invalid Study Instance UID', command, { ...dataset, StudyInstanceUID: '1.02.3' }, StoreStatus.CannotUnderstand],
    // Checked (shared identity check, C000) before it is compared with the command (A900).
    ['an invalid SOP Instance UID', { ...command, affectedSopInstanceUid: '1.2.3.4.5.' }, { ...dataset, SOPInstanceUID: '1.2.3.4.5.' }, StoreStatus.CannotUnderstand],
  ])('refuses a data set with %s', async (_why, cmd, ds, status) => {
    const clean = Object.fromEntries(Object.entries(ds).filter(([, v]) => v !== undefined)) as Dataset;
    const { file, datasetOffset } = incoming(clean, cmd);
    await expect(storeInstance(file, cmd, { spool, sink, datasetOffset })).rejects.toMatchObject({ status });
    expect(sink.instances).toEqual([]);
    expect(fs.readdirSync(spool.studiesDir)).toEqual([]);
  });

  test('a refusal says which UID and what is wrong with it, not its value', async () => {
    const { file, datasetOffset } = incoming({ ...dataset, StudyInstanceUID: '1.2.abc' }, command);
    await expect(storeInstance(file, command, { spool, sink, datasetOffset })).rejects.toMatchObject({ message: 'invalid Study Instance UID' });
    const noSeries = incoming(Object.fromEntries(Object.entries(dataset).filter(([k]) => k !== 'SeriesInstanceUID')) as Dataset, command);
    await expect(storeInstance(noSeries.file, command, { spool, sink, datasetOffset: noSeries.datasetOffset })).rejects.toMatchObject({ message: 'missing Series Instance UID' });
  });

  test('a full disk is "out of resources" (A700); a refusing sink is a processing failure', async () => {
    const { file, datasetOffset } = incoming(dataset, command);
    const enospc = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    await expect(storeInstance({ ...file, writeError: enospc }, command, { spool, sink, datasetOffset })).rejects.toMatchObject({ status: StoreStatus.OutOfResources });
    sink.refuse = true;
    await expect(storeInstance(file, command, { spool, sink, datasetOffset })).rejects.toMatchObject({ status: StoreStatus.ProcessingFailure, message: 'sink refused the instance: store unavailable' });
  });
});
