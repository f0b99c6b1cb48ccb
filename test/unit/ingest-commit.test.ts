/** The shared header check and commit-and-hand-over step of both ingest paths (issue 10). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Dataset } from '../../src/dicom/io';
import type { ReceivedInstance } from '../../src/domain/instance';
import { commitInstance, SinkRefusedError, type Arrival } from '../../src/ingest/commit-instance';
import { InstanceIdentity, InvalidIdentityError } from '../../src/ingest/instance-identity';
import { Spool } from '../../src/store/spool';

const ES = '1.2.840.10008.5.1.4.1.1.77.1.1';
const TS = '1.2.840.10008.1.2.1';
const header: Dataset = {
  StudyInstanceUID: '1.2.3',
  SeriesInstanceUID: '1.2.3.1',
  SOPInstanceUID: '1.2.3.1.1',
  SOPClassUID: ES,
  Modality: 'ES',
  BodyPartExamined: 'STOMACH ',
  StudyDescription: 'EGD',
  SeriesDescription: 'EGD stills',
};

function refusal(dataset: Dataset, transferSyntaxUid = TS): InvalidIdentityError {
  try {
    InstanceIdentity.read(dataset, transferSyntaxUid);
  } catch (err) {
    if (err instanceof InvalidIdentityError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('InstanceIdentity.read', () => {
  test('reads the UIDs and the attributes the store routes by, without DICOM padding', () => {
    const identity = InstanceIdentity.read({ ...header, SOPInstanceUID: '1.2.3.1.1\0' }, `${TS}\0`);
    expect({ ...identity }).toEqual({
      studyInstanceUid: '1.2.3',
      seriesInstanceUid: '1.2.3.1',
      sopInstanceUid: '1.2.3.1.1',
      sopClassUid: ES,
      transferSyntaxUid: TS,
      modality: 'ES',
      bodyPartExamined: 'STOMACH',
      studyDescription: 'EGD',
      seriesDescription: 'EGD stills',
    });
  });

  test.each([
    ['StudyInstanceUID', 'studyInstanceUid'],
    ['SeriesInstanceUID', 'seriesInstanceUid'],
    ['SOPInstanceUID', 'sopInstanceUid'],
    ['SOPClassUID', 'sopClassUid'],
  ] as const)('refuses a data set without %s', (keyword, field) => {
    const { [keyword]: _gone, ...rest } = header;
    expect(refusal(rest)).toMatchObject({ field, problem: 'missing' });
    expect(refusal({ ...header, [keyword]: '' })).toMatchObject({ field, problem: 'missing' });
  });

  test.each([
    ['a leading zero', 'StudyInstanceUID', '1.02.3', 'studyInstanceUid'],
    ['a letter', 'SeriesInstanceUID', '1.2.3.a', 'seriesInstanceUid'],
    ['an empty component', 'SOPInstanceUID', '1..3', 'sopInstanceUid'],
    ['a path separator', 'SOPInstanceUID', '../1.2', 'sopInstanceUid'],
    ['more than 64 characters', 'SOPClassUID', `1.${'2'.repeat(63)}`, 'sopClassUid'],
  ] as const)('refuses a UID with %s (PS3.5 9.1)', (_why, keyword, uid, field) => {
    const error = refusal({ ...header, [keyword]: uid });
    expect(error).toMatchObject({ field, problem: 'invalid' });
    expect(error.message).not.toContain(uid); // names the attribute, not what a malformed file put there
  });

  test('requires a well-formed transfer syntax', () => {
    expect(refusal(header, '')).toMatchObject({ field: 'transferSyntaxUid', problem: 'missing', message: 'missing Transfer Syntax UID' });
    expect(refusal(header, '1.2.840.10008.1.2.1.x')).toMatchObject({ field: 'transferSyntaxUid', problem: 'invalid' });
  });
});

describe('commitInstance', () => {
  let spool: Spool;
  beforeEach(() => {
    spool = new Spool(fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-commit-')));
  });
  afterEach(() => fs.rmSync(spool.root, { recursive: true, force: true }));

  const arrival: Arrival = { source: 'dicomweb', callingAet: null, sourceUrl: 'http://pacs/dicom-web', receivedAt: new Date('2026-11-26T10:00:00Z') };
  const incomingFile = (): string => {
    const file = spool.incomingPath();
    fs.writeFileSync(file, Buffer.alloc(10));
    return file;
  };

  test('moves the file into the spool and hands the instance to the sink', async () => {
    const received: ReceivedInstance[] = [];
    const identity = InstanceIdentity.read(header, TS);
    const instance = await commitInstance({ path: incomingFile(), sizeBytes: 10, identity, arrival }, { spool, sink: { accept: async (i) => void received.push(i) } });
    expect(instance).toEqual({ ...identity, path: path.join(spool.studiesDir, '1.2.3', '1.2.3.1', '1.2.3.1.1.dcm'), sizeBytes: 10, ...arrival });
    expect(received).toEqual([instance]);
    expect(spool.studyFiles('1.2.3')).toEqual([instance.path]);
    expect(fs.readdirSync(spool.incomingDir)).toEqual([]);
  });

  test('a sink that refuses: the file stays committed and the error names the instance', async () => {
    const identity = InstanceIdentity.read(header, TS);
    const commit = commitInstance({ path: incomingFile(), sizeBytes: 10, identity, arrival }, { spool, sink: { accept: () => Promise.reject(new Error('database locked')) } });
    await expect(commit).rejects.toBeInstanceOf(SinkRefusedError);
    await expect(commit).rejects.toMatchObject({ message: 'sink refused the instance: database locked', instance: { sopInstanceUid: '1.2.3.1.1' } });
    expect(spool.studyFiles('1.2.3')).toHaveLength(1);
  });
});
