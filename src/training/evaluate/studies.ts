/**
 * Study-level readings for the evaluation, with the node's own rule (src/analysis/aggregate.ts), so the study AUROC
 * measures what the node would report: probability = top-k mean of the image probabilities, stage distribution =
 * cancer-probability-weighted stage heads of the suspicious images (of the top-k when none is suspicious).
 *
 * A study is labelled cancer when any of its images has a cancer polygon. Its stage estimate here is the
 * distribution's argmax even when the study is not suspicious (the node would then report none): stage agreement is
 * measured given cancer, apart from detection, which the AUROC already covers.
 */
import { aggregateStudy, ScoredImage } from '../../analysis/aggregate';
import { Priority, STAGE_LABELS } from '../../domain/analysis';
import type { Stage } from '../dataset/types';
import type { ImagePrediction } from './run';

export interface StudyRule {
  topK: number;
  /** Image operating point: which images count as suspicious for the stage distribution. */
  imageThreshold: number;
  urgentThreshold: number;
  suspiciousThreshold: number;
}

export interface StudyPrediction {
  studyKey: string;
  personId: string;
  sex: 'M' | 'F';
  /** The patient's stage (null: control or unknown). */
  stage: Stage | null;
  /** Any image has a cancer polygon. */
  cancer: boolean;
  images: number;
  cancerProbability: number;
  priority: Priority;
  stageDistribution: [number, number, number, number];
  /** Argmax of stageDistribution. */
  stageEstimate: Stage;
}

/** Groups image predictions by studyKey (in order of first appearance) and aggregates each study. */
export function studyPredictions(images: readonly ImagePrediction[], rule: StudyRule): StudyPrediction[] {
  const groups = new Map<string, ImagePrediction[]>();
  for (const image of images) {
    const members = groups.get(image.studyKey);
    if (members) members.push(image);
    else groups.set(image.studyKey, [image]);
  }
  return [...groups.entries()].map(([studyKey, members]) => {
    const results: ScoredImage[] = members.map((m) => ({
      cancerProbability: m.cancerProbability,
      stageProbabilities: m.stageProbabilities,
      suspicious: m.cancerProbability >= rule.imageThreshold,
    }));
    const conclusion = aggregateStudy(results, { topK: rule.topK, urgentProbability: rule.urgentThreshold, suspiciousProbability: rule.suspiciousThreshold });
    const distribution = conclusion.stage.distribution;
    const first = members[0];
    return {
      studyKey,
      personId: first.personId,
      sex: first.sex,
      stage: first.stage,
      cancer: members.some((m) => m.cancer),
      images: members.length,
      cancerProbability: conclusion.cancerProbability,
      priority: conclusion.priority,
      stageDistribution: distribution,
      stageEstimate: STAGE_LABELS[distribution.indexOf(Math.max(...distribution))],
    };
  });
}
