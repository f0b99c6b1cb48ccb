/** Stage 2: every frame of every instance decoded and preprocessed for the model that reads it (src/imaging). */
import { decodeFrame, frameCount } from '../imaging/decode';
import { preprocess } from '../imaging/preprocess';
import { InputGeometry } from '../imaging/types';
import { StudyTimings } from '../domain/analysis';
import { ModelPackage } from '../inference/package/load';
import { Skipped, SourceInstance } from './study-input';

export interface PreparedImage {
  source: SourceInstance;
  frame: number;
  input: Float32Array;
  geometry: InputGeometry;
}

/** Model inputs grouped by the model that reads them, in reading order; frames that fail to decode are skipped with the reason. */
export async function prepareImages(instances: readonly SourceInstance[], timings: StudyTimings, skipped: Skipped): Promise<Map<ModelPackage, PreparedImage[]>> {
  const byModel = new Map<ModelPackage, PreparedImage[]>();
  for (const source of instances) {
    for (let frame = 0; frame < frameCount(source.dataset); frame++) {
      try {
        let t = performance.now();
        const decoded = await decodeFrame(source.part10, frame);
        timings.decodeMs += performance.now() - t;
        t = performance.now();
        const prepared = preprocess(decoded, source.dataset, source.model.spec);
        timings.preprocessMs += performance.now() - t;
        const list = byModel.get(source.model) ?? [];
        list.push({ source, frame, input: prepared.data, geometry: prepared.geometry });
        byModel.set(source.model, list);
      } catch (err) {
        skipped.push({ sopInstanceUid: source.sopInstanceUid, reason: (err as Error).message });
      }
    }
  }
  return byModel;
}
