/**
 * Study-level conclusions from image results. Rules (documented in docs/models.md):
 * - study cancer probability = mean of the top-k image cancer probabilities (k = min(k, images)): one convincing
 *   lesion view should raise the study even when most frames are normal survey views, and k > 1 damps a single
 *   spurious frame;
 * - stage distribution = average of the stage heads of the suspicious images weighted by their cancer probability
 *   (of the top-k images when none is suspicious); the estimate is its argmax, reported only for a suspicious study;
 * - priority: urgent at or above the urgent threshold, suspicious at or above the suspicious threshold, else routine.
 */
import { ImageResult, Priority, Stage, STAGE_LABELS } from '../domain/analysis';

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

export function aggregateStudy(images: ImageResult[], rule: AggregationRule): StudyConclusion {
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
