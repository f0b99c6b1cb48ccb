/**
 * Secondary Capture Image (PS3.3 A.8.1, SOP class 1.2.840.10008.5.1.4.1.1.7) from an RGB picture: for viewers that show
 * neither SEG nor SR. Burned-in text, so BurnedInAnnotation YES; ConversionType WSD (workstation).
 */
import { Dataset, toArrayBuffer } from '../io';
import { isValidUid } from '../uid';
import { RgbRaster } from '../../raster/png';
import { SopClass } from '../uids';


export class SecondaryCaptureBuildError extends Error {
  override readonly name = 'SecondaryCaptureBuildError';
}

export interface SourceImage {
  sopClassUid: string;
  sopInstanceUid: string;
  /** 1-based frame of a multi-frame source; leave out for single-frame images. */
  frameNumber?: number;
}

export interface SecondaryCaptureOptions {
  patientAndStudy: Dataset;
  equipment: Dataset;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  seriesNumber: number;
  seriesDescription: string;
  instanceNumber: number;
  picture: RgbRaster;
  source: SourceImage;
  /** ST <= 1024 characters: what was done to the source (model, "not for clinical use"). */
  derivationDescription: string;
  /** LT: free text shown by most viewers. */
  imageComments: string;
  /** The source's Body Part Examined (General Series); without it dciodvfy cannot rule out a paired organ needing Laterality. */
  bodyPartExamined?: string;
  /** The source was lossy compressed: the derived image stays marked lossy (PS3.3 C.7.6.1.1.5). */
  sourceLossy: boolean;
}

function validate(o: SecondaryCaptureOptions): void {
  for (const [name, uid] of Object.entries({ seriesInstanceUid: o.seriesInstanceUid, sopInstanceUid: o.sopInstanceUid, sourceSopInstanceUid: o.source.sopInstanceUid, sourceSopClassUid: o.source.sopClassUid }))
    if (!isValidUid(uid)) throw new SecondaryCaptureBuildError(`${name} ${uid} is not a valid UID`);
  const { width, height, rgb } = o.picture;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 65535 || height > 65535)
    throw new SecondaryCaptureBuildError(`picture size ${width}x${height} is not a valid Columns x Rows`);
  if (rgb.length !== width * height * 3) throw new SecondaryCaptureBuildError(`picture has ${rgb.length} bytes, ${width}x${height} RGB needs ${width * height * 3}`);
  if (o.derivationDescription.length > 1024) throw new SecondaryCaptureBuildError('derivation description is longer than 1024 characters (ST)');
}

export function buildSecondaryCapture(o: SecondaryCaptureOptions): Dataset {
  validate(o);
  const { width, height, rgb } = o.picture;
  const reference: Dataset = { ReferencedSOPClassUID: o.source.sopClassUid, ReferencedSOPInstanceUID: o.source.sopInstanceUid };
  if (o.source.frameNumber !== undefined) reference.ReferencedFrameNumber = o.source.frameNumber;
  // PS3.5 7.1.1: OB values have even length.
  const bytes = rgb.length % 2 === 0 ? rgb : Uint8Array.from([...rgb, 0]);
  return {
    ...o.patientAndStudy,
    ...o.equipment,
    SOPClassUID: SopClass.SecondaryCaptureImage,
    SOPInstanceUID: o.sopInstanceUid,
    // General Series (PS3.3 C.7.3.1): OT, the modality for "other" derived pictures.
    Modality: 'OT',
    SeriesInstanceUID: o.seriesInstanceUid,
    SeriesNumber: o.seriesNumber,
    SeriesDescription: o.seriesDescription,
    ...(o.bodyPartExamined ? { BodyPartExamined: o.bodyPartExamined } : {}),
    SeriesDate: o.equipment.ContentDate,
    SeriesTime: o.equipment.ContentTime,
    // SC Equipment (C.8.6.1).
    ConversionType: 'WSD',
    // General Image (C.7.6.1).
    InstanceNumber: o.instanceNumber,
    PatientOrientation: '',
    ImageType: ['DERIVED', 'SECONDARY'],
    DerivationDescription: o.derivationDescription,
    ImageComments: o.imageComments,
    BurnedInAnnotation: 'YES',
    LossyImageCompression: o.sourceLossy ? '01' : '00',
    ReferencedImageSequence: [{ ...reference }],
    SourceImageSequence: [{ ...reference }],
    // Image Pixel (C.7.6.3): 8-bit RGB, colour-by-pixel.
    SamplesPerPixel: 3,
    PhotometricInterpretation: 'RGB',
    PlanarConfiguration: 0,
    Rows: height,
    Columns: width,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    PixelData: [toArrayBuffer(bytes)],
    _vrMap: { PixelData: 'OB' },
  };
}
