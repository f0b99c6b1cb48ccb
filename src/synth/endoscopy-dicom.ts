/** A synthetic endoscopy still as VL Endoscopic Image Storage (PS3.3 A.32.1), uncompressed RGB or JPEG baseline. */
import { Dataset, dicomDate, dicomTime, toArrayBuffer } from '../dicom/io';
import { TransferSyntax } from '../dicom/uids';
import { encodeJpegBaseline422 } from '../imaging/jpeg-baseline-encoder';
import { commonModules, StudyContext, SYNTHETIC_NOTICE } from './dicom-common';
import { EndoscopyImage } from './types';
import { SopClass } from '../dicom/uids';

const JPEG_QUALITY = 90;

export interface EncodedObject {
  dataset: Dataset;
  transferSyntaxUid: string;
}

export function endoscopyDataset(ctx: StudyContext, image: EndoscopyImage, instanceNumber: number, sopInstanceUid: string, jpeg: boolean): EncodedObject {
  const acquired = new Date(ctx.start.getTime() + instanceNumber * 20_000);
  const pixelModule: Dataset = jpeg
    ? (() => {
        const bitstream = encodeJpegBaseline422(image.rgb, image.width, image.height, JPEG_QUALITY);
        return {
          // PS3.5 8.2.1: JPEG with colour transform and chroma subsampling is YBR_FULL_422.
          PhotometricInterpretation: 'YBR_FULL_422',
          LossyImageCompression: '01',
          LossyImageCompressionRatio: Number((image.rgb.length / bitstream.length).toFixed(2)),
          LossyImageCompressionMethod: 'ISO_10918_1',
          PixelData: [toArrayBuffer(bitstream)],
        };
      })()
    : { PhotometricInterpretation: 'RGB', LossyImageCompression: '00', PixelData: [toArrayBuffer(image.rgb)] };

  const dataset: Dataset = {
    ...commonModules(ctx, SopClass.VlEndoscopicImage, sopInstanceUid),
    ImageType: ['ORIGINAL', 'PRIMARY'],
    AcquisitionDateTime: `${dicomDate(acquired)}${dicomTime(acquired)}`,
    ContentDate: dicomDate(acquired),
    ContentTime: dicomTime(acquired),
    InstanceNumber: instanceNumber,
    PatientOrientation: '',
    ImageComments: SYNTHETIC_NOTICE,
    // VL Image module: anatomy as a code (SCT "Stomach"), acquisition context left empty (type 2).
    AnatomicRegionSequence: [{ CodeValue: '69695003', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Stomach' }],
    AcquisitionContextSequence: [],
    SamplesPerPixel: 3,
    PlanarConfiguration: 0,
    Rows: image.height,
    Columns: image.width,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    ...pixelModule,
    _vrMap: { PixelData: 'OB' },
  };
  return { dataset, transferSyntaxUid: jpeg ? TransferSyntax.JpegBaseline : TransferSyntax.ExplicitVRLittleEndian };
}
