/** Counts that describe a dataset before any training (the seed plan's step 1: look at the data). */
import { DatasetIndex } from '../dataset/types';

export interface Count {
  key: string;
  count: number;
}

export interface ModalityStats {
  modality: string;
  patients: number;
  images: number;
  cancerImages: number;
  normalImages: number;
  byStage: Count[];
  bySex: Count[];
  byAgeDecade: Count[];
  imageSizes: Count[];
  /** Lesion area as a share of the image, in 5 % bins (cancer images only). */
  lesionAreaShare: Count[];
  imagesPerPatient: { min: number; median: number; max: number };
}

function tally(keys: string[], order?: string[]): Count[] {
  const map = new Map<string, number>();
  for (const k of keys) map.set(k, (map.get(k) ?? 0) + 1);
  const entries = [...map.entries()].map(([key, count]) => ({ key, count }));
  return order ? order.filter((k) => map.has(k)).map((key) => ({ key, count: map.get(key) as number })) : entries.sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/** Shoelace area of a polygon in pixels². */
export function polygonArea(points: Array<[number, number]>): number {
  let twice = 0;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) twice += (points[j][0] + points[i][0]) * (points[j][1] - points[i][1]);
  return Math.abs(twice) / 2;
}

export function modalityStats(index: DatasetIndex): ModalityStats {
  const { patients, images } = index;
  const perPatient = patients.map((p) => p.images).sort((a, b) => a - b);
  const decade = (age: number | null): string => (age === null ? 'unknown' : `${Math.floor(age / 10) * 10}s`);
  const shares = images
    .filter((i) => i.cancer)
    .map((i) => {
      const share = i.polygons.reduce((s, p) => s + polygonArea(p), 0) / (i.width * i.height);
      const bin = Math.min(95, Math.floor((share * 100) / 5) * 5);
      return `${bin}-${bin + 5}%`;
    });
  return {
    modality: index.modality,
    patients: patients.length,
    images: images.length,
    cancerImages: images.filter((i) => i.cancer).length,
    normalImages: images.filter((i) => !i.cancer).length,
    byStage: tally(patients.map((p) => p.stage ?? 'no cancer'), ['I', 'II', 'III', 'IV', 'no cancer']),
    bySex: tally(patients.map((p) => p.sex), ['M', 'F']),
    byAgeDecade: tally(patients.map((p) => decade(p.age))).sort((a, b) => a.key.localeCompare(b.key)),
    imageSizes: tally(images.map((i) => `${i.width}x${i.height}`)),
    lesionAreaShare: tally(shares).sort((a, b) => parseInt(a.key, 10) - parseInt(b.key, 10)),
    imagesPerPatient: { min: perPatient[0] ?? 0, median: perPatient[Math.floor(perPatient.length / 2)] ?? 0, max: perPatient[perPatient.length - 1] ?? 0 },
  };
}
