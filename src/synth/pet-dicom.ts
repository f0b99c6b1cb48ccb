/**
 * One slice of a synthetic FDG PET series as PET Image Storage (PS3.3 A.21) with everything SUVbw needs:
 * Units BQML, DecayCorrection START, PatientWeight, and the radiopharmaceutical dose, half-life and start time.
 */
import { Dataset, dicomDate, dicomTime, toArrayBuffer } from '../dicom/io';
import { TransferSyntax } from '../dicom/uids';
import { grayscale16, planeModules } from './ct-dicom';
import { commonModules, StudyContext, SYNTHETIC_NOTICE } from './dicom-common';
import { EncodedObject } from './endoscopy-dicom';
import { PetSeries } from './types';
import { SopClass } from '../dicom/uids';

const FRAME_DURATION_MS = 180_000;

export function petDataset(ctx: StudyContext, series: PetSeries, index: number, sopInstanceUid: string): EncodedObject {
  const slice = series.slices[index];
  const injection = new Date(ctx.start.getTime() - series.uptakeS * 1000);
  // Activity is decay corrected to the series start (DecayCorrection START), so each slice's decay factor is 1.
  const dataset: Dataset = {
    ...commonModules(ctx, SopClass.PetImage, sopInstanceUid),
    PatientWeight: series.patientWeightKg,
    ImageType: ['ORIGINAL', 'PRIMARY'],
    AcquisitionDate: dicomDate(ctx.start),
    AcquisitionTime: dicomTime(ctx.start),
    ContentDate: dicomDate(ctx.start),
    ContentTime: dicomTime(ctx.start),
    InstanceNumber: index + 1,
    ImageComments: SYNTHETIC_NOTICE,
    // PET Series module.
    Units: 'BQML',
    CountsSource: 'EMISSION',
    SeriesType: ['STATIC', 'IMAGE'],
    CorrectedImage: ['DECY', 'ATTN', 'SCAT', 'DTIM', 'RAN', 'NORM'],
    RandomsCorrectionMethod: 'DLYD',
    DecayCorrection: 'START',
    ReconstructionMethod: 'OSEM',
    NumberOfSlices: series.slices.length,
    CollimatorType: 'NONE',
    // PET Isotope module: F-18 FDG.
    RadiopharmaceuticalInformationSequence: [
      {
        Radiopharmaceutical: 'Fluorodeoxyglucose',
        RadiopharmaceuticalStartTime: dicomTime(injection),
        RadiopharmaceuticalStartDateTime: `${dicomDate(injection)}${dicomTime(injection)}`,
        RadionuclideTotalDose: Math.round(series.injectedDoseBq),
        RadionuclideHalfLife: series.halfLifeS,
        RadionuclidePositronFraction: 0.9673,
        RadionuclideCodeSequence: [{ CodeValue: '77004003', CodingSchemeDesignator: 'SCT', CodeMeaning: '^18^Fluorine' }],
        RadiopharmaceuticalCodeSequence: [{ CodeValue: '35321007', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Fluorodeoxyglucose F^18^' }],
      },
    ],
    // NM/PET Patient Orientation module (type 2 sequences).
    PatientOrientationCodeSequence: [{ CodeValue: '102538003', CodingSchemeDesignator: 'SCT', CodeMeaning: 'recumbent' }],
    PatientGantryRelationshipCodeSequence: [{ CodeValue: '399363000', CodingSchemeDesignator: 'SCT', CodeMeaning: 'headfirst' }],
    ...planeModules(ctx, series.pixelSpacing, series.sliceThickness, series.positions[index]),
    // PET Image module.
    ...grayscale16(series.rows, series.columns, false),
    RescaleIntercept: 0,
    RescaleSlope: Number(series.rescaleSlopes[index].toPrecision(10)),
    FrameReferenceTime: 0,
    ActualFrameDuration: FRAME_DURATION_MS,
    ImageIndex: index + 1,
    DecayFactor: 1,
    PixelData: [toArrayBuffer(slice.pixels)],
    _vrMap: { PixelData: 'OW' },
  };
  return { dataset, transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian };
}
