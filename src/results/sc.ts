/**
 * StudyAnalysis → Secondary Capture overlays, for viewers that show neither SEG nor SR: one per finding (the source
 * image with the localisation map in red-yellow, the region outlined and a caption burned in), or, for a study without
 * findings, one of its highest-probability image saying so.
 */
import { Dataset } from '../dicom/io';
import { buildSecondaryCapture } from '../dicom/sc/builder';
import { blendHeat, burnCaption, drawOutline, enlargeToWidth } from '../dicom/sc/overlay';
import { sourceRaster } from '../imaging/raster/source-raster';
import { ImageMap, ImageResult, STAGE_LABELS } from '../domain/analysis';
import {
  equipmentAndProvenance,
  modelOf,
  findings,
  NOT_FOR_CLINICAL_USE,
  patientAndStudy,
  RESULT_SERIES_DESCRIPTION,
  RESULT_SERIES_NUMBER,
  resultUids,
  ResultInput,
} from './common';
import { textOf } from '../dicom/attributes';

const HEAT = { threshold: 0.5, opacity: 0.45 };
const OUTLINE: [number, number, number] = [0, 255, 0];
/** About the width of our longest caption at scale 1 (5x7 font, 6 px a character). */
const CAPTION_WIDTH = 480;

function stageOf(image: ImageResult): string {
  const p = image.stageProbabilities;
  return STAGE_LABELS[p.indexOf(Math.max(...p))];
}

export function findingCaption(image: ImageResult): string {
  return `Malignant tumour of stomach p=${image.cancerProbability.toFixed(2)} stage ${stageOf(image)} - ${NOT_FOR_CLINICAL_USE}`;
}

export function noFindingCaption(input: Pick<ResultInput, 'analysis'>): string {
  const { analysis } = input;
  return analysis.suspicious
    ? `Suspicious study p=${analysis.cancerProbability.toFixed(2)}, no region localised - ${NOT_FOR_CLINICAL_USE}`
    : `No suspicious finding - ${NOT_FOR_CLINICAL_USE}`;
}

async function overlay(input: ResultInput, index: number, image: ImageResult, map: ImageMap | null, caption: string): Promise<Dataset> {
  const { analysis } = input;
  const source = input.sources.get(image.sopInstanceUid);
  if (!source) throw new Error(`SC: source instance ${image.sopInstanceUid} is not among the result input's sources`);
  const original = await sourceRaster(source, image.frame, input.transferSyntaxes?.get(image.sopInstanceUid));
  if (map) {
    if (map.width !== original.width || map.height !== original.height) throw new Error(`SC: map ${map.width}x${map.height} does not fit image ${original.width}x${original.height}`);
    blendHeat(original, map.probability, HEAT);
  }
  if (image.region) drawOutline(original, image.region.contour, OUTLINE);
  const picture = enlargeToWidth(original, CAPTION_WIDTH);
  burnCaption(picture, caption);

  const model = modelOf(analysis, image);
  const uids = resultUids(analysis.studyInstanceUid, analysis.models, 'SC', index);
  const multiFrame = Number(source.NumberOfFrames ?? 1) > 1;
  return buildSecondaryCapture({
    patientAndStudy: patientAndStudy(source),
    equipment: equipmentAndProvenance(analysis.models, input.now),
    seriesInstanceUid: uids.seriesInstanceUid,
    sopInstanceUid: uids.sopInstanceUid,
    seriesNumber: RESULT_SERIES_NUMBER.SC,
    seriesDescription: RESULT_SERIES_DESCRIPTION.SC,
    instanceNumber: index + 1,
    picture,
    source: { sopClassUid: image.sopClassUid, sopInstanceUid: image.sopInstanceUid, ...(multiFrame ? { frameNumber: image.frame + 1 } : {}) },
    derivationDescription:
      `Source image with the localisation map of model ${model.id} ${model.version} (red to yellow: probability ${HEAT.threshold} to 1), ` +
      `region outlined in green, caption burned in. ${NOT_FOR_CLINICAL_USE}`,
    imageComments: caption,
    // Every study this node reads is gastric: STOMACH when the source does not say.
    bodyPartExamined: textOf(source.BodyPartExamined) || 'STOMACH',
    sourceLossy: textOf(source.LossyImageCompression) === '01',
  });
}

/** One SC per finding; a study without findings gets one SC of its highest-probability image; no images, no SC. */
export async function buildOverlays(input: ResultInput): Promise<Dataset[]> {
  const found = findings(input);
  if (found.length > 0) return Promise.all(found.map((f, i) => overlay(input, i, f.image, f.map, findingCaption(f.image))));
  const images = input.analysis.images.filter((i) => input.sources.has(i.sopInstanceUid));
  if (images.length === 0) return [];
  const top = images.reduce((best, i) => (i.cancerProbability > best.cancerProbability ? i : best));
  return [await overlay(input, 0, top, null, noFindingCaption(input))];
}
