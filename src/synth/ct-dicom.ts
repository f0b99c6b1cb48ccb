/** One slice of a synthetic CT series as CT Image Storage (PS3.3 A.3), signed 16 bit with rescale to HU. */
import { Dataset, dicomDate, dicomTime, toArrayBuffer } from '../dicom/io';
import { TransferSyntax } from '../dicom/uids';
import { commonModules, StudyContext, SYNTHETIC_NOTICE } from './dicom-common';
import { EncodedObject } from './endoscopy-dicom';
import { CtSeries } from './types';
import { SopClass } from '../dicom/uids';

export const AXIAL_ORIENTATION = [1, 0, 0, 0, 1, 0];

/** Image Plane + Frame of Reference attributes shared by the CT and PET writers. */
export function planeModules(ctx: StudyContext, spacing: [number, number], thickness: number, position: [number, number, number]): Dataset {
  return {
    FrameOfReferenceUID: ctx.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    PixelSpacing: spacing,
    ImageOrientationPatient: AXIAL_ORIENTATION,
    ImagePositionPatient: position,
    SliceThickness: thickness,
    SliceLocation: position[2],
  };
}

/** Image Pixel attributes of a 16-bit greyscale slice (CT signed, PET unsigned). */
export function grayscale16(rows: number, columns: number, signed: boolean): Dataset {
  return {
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: signed ? 1 : 0,
  };
}

export function ctDataset(ctx: StudyContext, series: CtSeries, index: number, sopInstanceUid: string): EncodedObject {
  const slice = series.slices[index];
  const dataset: Dataset = {
    ...commonModules(ctx, SopClass.CtImage, sopInstanceUid),
    ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
    AcquisitionDate: dicomDate(ctx.start),
    AcquisitionTime: dicomTime(ctx.start),
    ContentDate: dicomDate(ctx.start),
    ContentTime: dicomTime(ctx.start),
    AcquisitionNumber: 1,
    InstanceNumber: index + 1,
    ImageComments: SYNTHETIC_NOTICE,
    KVP: 120,
    // PET carries PatientOrientationCodeSequence instead (PS3.3 C.7.3.1: not both).
    PatientPosition: 'HFS',
    ContrastBolusAgent: 'IV contrast (synthetic)',
    ...planeModules(ctx, series.pixelSpacing, series.sliceThickness, series.positions[index]),
    ...grayscale16(series.rows, series.columns, true),
    RescaleIntercept: series.rescaleIntercept,
    RescaleSlope: series.rescaleSlope,
    RescaleType: 'HU',
    WindowCenter: 40,
    WindowWidth: 400,
    PixelData: [toArrayBuffer(slice.pixels)],
    _vrMap: { PixelData: 'OW' },
  };
  return { dataset, transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian };
}
