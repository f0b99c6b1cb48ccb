/** Public DICOM test files in ../shared/data/dicom that tests send (see its README), with the UIDs they carry. */
const PYDICOM = '/work/shared/data/dicom/pydicom/test_files';

/** pydicom's CT_small.dcm: one 128x128 CT slice, Explicit VR Little Endian. */
export const CT_SMALL = {
  path: `${PYDICOM}/CT_small.dcm`,
  sopInstanceUid: '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322',
  studyInstanceUid: '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322',
} as const;

/** pydicom's MR_small.dcm. */
export const MR_SMALL_PATH = `${PYDICOM}/MR_small.dcm`;
