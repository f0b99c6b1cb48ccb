/**
 * Study-level conclusions from image results. Rules (documented in docs/models.md):
 * - study cancer probability = mean of the top-k image cancer probabilities (k = min(k, images)): one convincing
 *   lesion view should raise the study even when most frames are normal survey views, and k > 1 damps a single
 *   spurious frame;
 * - stage distribution = average of the stage heads of the suspicious images weighted by their cancer probability
 *   (of the top-k images when none is suspicious); the estimate is its argmax, reported only for a suspicious study;
 * - priority: urgent at or above the urgent threshold, suspicious at or above the suspicious threshold, else routine.
 * A study read by several models (PET-CT: a CT and a PT model) gets one conclusion per model, each by that model's
 * own rule (its manifest's k and thresholds), and the study's conclusion is the most urgent reading: the highest
 * priority, ties broken by the higher probability. Probabilities of different models are not averaged: each is
 * calibrated against its own thresholds, and one modality that sees the cancer must not be diluted by another.
 */
import { ImageResult, ModelReading, Priority, Stage, STAGE_LABELS } from '../domain/analysis';

export interface AggregationRule {
  topK: number;
  urgentProbability: number;
  suspiciousProbability: number;
}

export interface StudyConclusion {
  cancerProbability: number;
  aggregation: string;
  suspicious: boolean;
  priority: Priority;
  stage: { estimate: Stage | null; distribution: [number, number, number, number] };
}

export function priorityOf(probability: number, rule: Pick<AggregationRule, 'urgentProbability' | 'suspiciousProbability'>): Priority {
  if (probability >= rule.urgentProbability) return 'urgent';
  if (probability >= rule.suspiciousProbability) return 'suspicious';
  return 'routine';
}

/** What the study rule reads of an image result. */
export type ScoredImage = Pick<ImageResult, 'cancerProbability' | 'stageProbabilities' | 'suspicious'>;

export function aggregateStudy(images: readonly ScoredImage[], rule: AggregationRule): StudyConclusion {
  if (images.length === 0) throw new Error('aggregateStudy: no image results');
  const ranked = [...images].sort((a, b) => b.cancerProbability - a.cancerProbability);
  const k = Math.max(1, Math.min(rule.topK, ranked.length));
  const top = ranked.slice(0, k);
  const cancerProbability = top.reduce((s, r) => s + r.cancerProbability, 0) / k;

  const basis = images.some((r) => r.suspicious) ? images.filter((r) => r.suspicious) : top;
  const weights = basis.map((r) => Math.max(r.cancerProbability, 1e-6));
  const total = weights.reduce((s, w) => s + w, 0);
  const distribution = [0, 1, 2, 3].map((s) => basis.reduce((acc, r, i) => acc + weights[i] * r.stageProbabilities[s], 0) / total) as [number, number, number, number];
  const priority = priorityOf(cancerProbability, rule);
  const suspicious = priority !== 'routine';
  const best = distribution.indexOf(Math.max(...distribution));
  return {
    cancerProbability,
    aggregation: `mean of the top ${k} image cancer probabilities`,
    suspicious,
    priority,
    stage: { estimate: suspicious ? STAGE_LABELS[best] : null, distribution },
  };
}

const URGENCY: Record<Priority, number> = { urgent: 2, suspicious: 1, routine: 0 };

/** One model's reading: its images concluded by its rule. */
export interface ModelConclusion {
  modelId: string;
  images: readonly ScoredImage[];
  conclusion: StudyConclusion;
}

/** The study's conclusion from one or more model readings (the most urgent wins), and the readings as recorded. */
export function combineReadings(readings: readonly ModelConclusion[]): StudyConclusion & { readings: ModelReading[] } {
  if (readings.length === 0) throw new Error('combineReadings: no model reading');
  const ranked = [...readings].sort(
    (a, b) => URGENCY[b.conclusion.priority] - URGENCY[a.conclusion.priority] || b.conclusion.cancerProbability - a.conclusion.cancerProbability,
  );
  const lead = ranked[0];
  const recorded = readings.map((r): ModelReading => ({ modelId: r.modelId, cancerProbability: r.conclusion.cancerProbability, priority: r.conclusion.priority, images: r.images.length }));
  const aggregation = readings.length === 1 ? lead.conclusion.aggregation : `${lead.conclusion.aggregation} of ${lead.modelId}, the most urgent of ${readings.length} model readings`;
  return { ...lead.conclusion, aggregation, readings: recorded };
}
