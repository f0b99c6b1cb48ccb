/**
 * The study's AI result as a TID 1500 Comprehensive SR (IHE AI Results): one Measurement Group per finding with
 * its region on the source image, probability, stage and SEG segment; study-level probability, stage, triage
 * priority and the "not for clinical use" statement. Layout follows what OHIF 3.x reads (docs/results.md).
 */
import { CODES, PRIORITY_CODES, PRIORITY_CONCEPT, STAGE_CODES, STAGE_CONCEPT, CANCER_SUSPECTED_CONCEPT } from '../dicom/codes';
import { Dataset } from '../dicom/io';
import { deterministicUid } from '../dicom/uid';
import { comment, imageRegion, probabilityOfCancer, qualitativeEvaluation, rectangle, segmentationReferences } from '../dicom/sr/content';
import { comprehensiveSr, EvidenceInstance } from '../dicom/sr/document';
import { measurementGroup, measurementReport, qualitativeEvaluations } from '../dicom/sr/templates';
import { CodeItem, ContainerItem, TextItem } from '../dicom/sr/value-types';
import { ImageResult, STAGE_LABELS } from '../domain/analysis';
import { SopClass } from '../dicom/uids';
import {
  CANCER_SEGMENT_NUMBER,
  equipmentAndProvenance,
  modelOf,
  findings,
  MANUFACTURER,
  NOT_FOR_CLINICAL_USE,
  patientAndStudy,
  RESULT_SERIES_DESCRIPTION,
  RESULT_SERIES_NUMBER,
  ResultInput,
  resultUids,
  segmentationPlan,
} from './common';

/** OHIF picks its Cornerstone adapter by this prefix; without it a region is drawn but never reaches the panel. */
export const TRACKING_IDENTIFIER_PREFIX = 'Cornerstone3DTools@^0.1.0:RectangleROI';


const argmaxStage = (p: readonly number[]): (typeof STAGE_LABELS)[number] => STAGE_LABELS[p.indexOf(Math.max(...p))];

function frameOf(image: ImageResult, source: Dataset | undefined): number | undefined {
  return Number(source?.NumberOfFrames ?? 1) > 1 ? image.frame + 1 : undefined;
}

function findingGroups(input: ResultInput, srInstanceUid: string): ContainerItem[] {
  const { analysis } = input;
  const parts = segmentationPlan(input);
  return findings(input).map(({ image }, i) => {
    const n = i + 1;
    const source = input.sources.get(image.sopInstanceUid);
    const model = modelOf(analysis, image);
    const region = image.region!;
    const part = parts.find((p) => p.images.includes(image));
    const frame = frameOf(image, source);
    const scoord = imageRegion({
      relationship: 'INFERRED FROM',
      points: rectangle(region.box),
      image: { sopClassUid: image.sopClassUid, sopInstanceUid: image.sopInstanceUid },
      ...(frame ? { frame } : {}),
    });
    const segment = part
      ? segmentationReferences({
          segmentation: { sopClassUid: SopClass.Segmentation, sopInstanceUid: resultUids(analysis.studyInstanceUid, analysis.models, 'SEG', part.index).sopInstanceUid },
          segmentNumber: CANCER_SEGMENT_NUMBER,
          sourceImage: { sopClassUid: image.sopClassUid, sopInstanceUid: image.sopInstanceUid },
        })
      : [];
    return measurementGroup({
      trackingIdentifier: `${TRACKING_IDENTIFIER_PREFIX}:finding ${n}`,
      trackingUid: deterministicUid('gastric-ai-sr-finding', srInstanceUid, n),
      finding: CODES.malignantTumorOfStomach,
      findingSite: CODES.stomach,
      algorithm: { name: model.id, version: model.version },
      // OHIF reads the region from the NUM's first child SCOORD; the SEG segment and its source image are named
      // group-level IMAGE items (see segmentationReferences).
      measurements: [probabilityOfCancer({ value: image.cancerProbability, evidence: [scoord] })],
      evaluations: [qualitativeEvaluation({ name: STAGE_CONCEPT, value: STAGE_CODES[argmaxStage(image.stageProbabilities)] })],
      references: segment,
    });
  });
}

function studyEvaluations(input: ResultInput, findingCount: number): ContainerItem {
  const { analysis } = input;
  const items: Array<CodeItem | TextItem> = [
    qualitativeEvaluation({ name: CANCER_SUSPECTED_CONCEPT, value: analysis.suspicious ? CODES.yes : CODES.no }),
    qualitativeEvaluation({ name: PRIORITY_CONCEPT, value: PRIORITY_CODES[analysis.priority] }),
  ];
  if (analysis.stage.estimate) items.push(qualitativeEvaluation({ name: STAGE_CONCEPT, value: STAGE_CODES[analysis.stage.estimate] }));
  // TID 1500 row 12 holds CODE and TEXT only (row 10's derived NUMs need CID 7465 concepts), so the study
  // probability is a TEXT item named "Probability of cancer".
  items.push(comment(`${analysis.cancerProbability.toFixed(3)} (${analysis.aggregation})`, CODES.probabilityOfCancer));
  const findingsText = findingCount === 0 ? 'No suspicious region found.' : `${findingCount} suspicious region(s), see Imaging Measurements.`;
  items.push(comment(`${NOT_FOR_CLINICAL_USE}. ${findingsText}`));
  return qualitativeEvaluations(items);
}

export function buildReport(input: ResultInput): Dataset {
  const { analysis } = input;
  if (analysis.models.length === 0) throw new Error('buildReport: analysis names no model');
  const firstSource = analysis.images.map((i) => input.sources.get(i.sopInstanceUid)).find((s) => s !== undefined);
  if (!firstSource) throw new Error('buildReport: no source instance for the analysed images');
  const uids = resultUids(analysis.studyInstanceUid, analysis.models, 'SR');

  const groups = findingGroups(input, uids.sopInstanceUid);
  const seen = new Set<string>();
  const analysed = analysis.images.filter((i) => !seen.has(i.sopInstanceUid) && seen.add(i.sopInstanceUid));
  const root = measurementReport({
    observer: {
      uid: analysis.models[0].deviceUid,
      name: analysis.models.map((m) => m.id).join('+').slice(0, 64),
      manufacturer: MANUFACTURER,
      modelName: analysis.models.map((m) => `${m.id} ${m.version}`).join(', '),
    },
    images: analysed.map((i) => ({ sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, seriesInstanceUid: i.seriesInstanceUid })),
    groups,
    evaluations: studyEvaluations(input, groups.length),
  });

  const evidence: EvidenceInstance[] = analysed.map((i) => ({
    studyInstanceUid: analysis.studyInstanceUid,
    seriesInstanceUid: i.seriesInstanceUid,
    sopClassUid: i.sopClassUid,
    sopInstanceUid: i.sopInstanceUid,
  }));
  const segmentations: EvidenceInstance[] = segmentationPlan(input).map((part) => {
    const seg = resultUids(analysis.studyInstanceUid, analysis.models, 'SEG', part.index);
    return { studyInstanceUid: analysis.studyInstanceUid, seriesInstanceUid: seg.seriesInstanceUid, sopClassUid: SopClass.Segmentation, sopInstanceUid: seg.sopInstanceUid };
  });

  return comprehensiveSr({
    root,
    patientAndStudy: { ...patientAndStudy(firstSource), StudyInstanceUID: analysis.studyInstanceUid },
    equipment: equipmentAndProvenance(analysis.models, input.now),
    series: { instanceUid: uids.seriesInstanceUid, number: RESULT_SERIES_NUMBER.SR, description: RESULT_SERIES_DESCRIPTION.SR },
    instance: { sopInstanceUid: uids.sopInstanceUid, number: 1 },
    evidence,
    otherEvidence: segmentations,
    completion: 'COMPLETE',
    verification: 'UNVERIFIED',
  });
}
