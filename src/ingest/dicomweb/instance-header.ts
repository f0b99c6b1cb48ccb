/**
 * Reads the header of a retrieved Part 10 instance (stops before Pixel Data, so a large image is not parsed) and
 * runs the shared identity check on it (ingest/instance-identity: the same one the DIMSE SCP runs).
 */
import { text } from '../../dicom/attributes';
import { Dataset, readPart10Header } from '../../dicom/io';
import { InstanceIdentity } from '../instance-identity';

/** Throws InvalidIdentityError (missing or malformed UIDs), or dcmjs's error for bytes that are not Part 10. */
export function readInstanceHeader(bytes: ArrayBuffer): InstanceIdentity {
  const { meta, dataset: ds } = readPart10Header(bytes);
  // PS3.10 7.1: the meta's Media Storage SOP Class/Instance UIDs are the data set's; they stand in when it lacks them.
  // (Not on the DIMSE path, whose file meta is written from the C-STORE command, so it cannot vouch for the data set.)
  const header: Dataset = {
    ...ds,
    SOPInstanceUID: text(ds, 'SOPInstanceUID') || text(meta, 'MediaStorageSOPInstanceUID'),
    SOPClassUID: text(ds, 'SOPClassUID') || text(meta, 'MediaStorageSOPClassUID'),
  };
  return InstanceIdentity.read(header, text(meta, 'TransferSyntaxUID'));
}
