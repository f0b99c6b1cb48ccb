/**
 * The one header check of every ingest path (DIMSE and DICOMweb, issue 10): before an instance may enter the spool
 * its Study, Series and SOP Instance UIDs (spool path components and store keys), its SOP Class UID and its transfer
 * syntax (how the file is decoded) must be present and well-formed UIDs (PS3.5 9.1). An InstanceIdentity exists only
 * once that check passed, and commitInstance takes nothing else, so no path can commit an unchecked instance.
 * Each path maps InvalidIdentityError to its own answer (DIMSE: status C000; DICOMweb: a failed study).
 */
import { text, textOf } from '../dicom/attributes';
import type { Dataset } from '../dicom/io';
import { isValidUid } from '../dicom/uid';
import type { ReceivedInstance } from '../domain/instance';

export type IdentityFields = Pick<
  ReceivedInstance,
  | 'studyInstanceUid'
  | 'seriesInstanceUid'
  | 'sopInstanceUid'
  | 'sopClassUid'
  | 'transferSyntaxUid'
  | 'modality'
  | 'bodyPartExamined'
  | 'studyDescription'
  | 'seriesDescription'
>;

/** The checked UIDs, as the error names them (never their values: a malformed file may hold anything there). */
const UID_NAMES = {
  studyInstanceUid: 'Study Instance UID',
  seriesInstanceUid: 'Series Instance UID',
  sopInstanceUid: 'SOP Instance UID',
  sopClassUid: 'SOP Class UID',
  transferSyntaxUid: 'Transfer Syntax UID',
} as const;

export type IdentifyingUid = keyof typeof UID_NAMES;

export class InvalidIdentityError extends Error {
  constructor(
    readonly field: IdentifyingUid,
    readonly problem: 'missing' | 'invalid',
  ) {
    super(`${problem} ${UID_NAMES[field]}`);
    this.name = 'InvalidIdentityError';
  }
}

declare const checked: unique symbol;

/** Identity fields that passed the check: only InstanceIdentity.read makes one (the brand is type-only). */
export type InstanceIdentity = Readonly<IdentityFields> & { readonly [checked]: true };

export const InstanceIdentity = {
  /**
   * Reads and checks the header (a naturalized data set without Pixel Data). The transfer syntax comes from outside
   * the data set: DIMSE's accepted presentation context, or the Part 10 file meta. Throws InvalidIdentityError.
   */
  read(dataset: Dataset, transferSyntaxUid: string): InstanceIdentity {
    const fields: IdentityFields = {
      studyInstanceUid: text(dataset, 'StudyInstanceUID'),
      seriesInstanceUid: text(dataset, 'SeriesInstanceUID'),
      sopInstanceUid: text(dataset, 'SOPInstanceUID'),
      sopClassUid: text(dataset, 'SOPClassUID'),
      transferSyntaxUid: textOf(transferSyntaxUid),
      modality: text(dataset, 'Modality'),
      bodyPartExamined: text(dataset, 'BodyPartExamined'),
      studyDescription: text(dataset, 'StudyDescription'),
      seriesDescription: text(dataset, 'SeriesDescription'),
    };
    for (const field of Object.keys(UID_NAMES) as IdentifyingUid[]) {
      const uid = fields[field];
      if (!uid) throw new InvalidIdentityError(field, 'missing');
      if (!isValidUid(uid)) throw new InvalidIdentityError(field, 'invalid');
    }
    return fields as InstanceIdentity;
  },
};
