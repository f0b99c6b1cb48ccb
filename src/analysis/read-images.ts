/**
 * Stages 3 and 4: one model reads its prepared images (batched inference), and each suspicious image is localised:
 * the class activation map, mapped back to source pixels, thresholded into its largest region.
 */
import { textOf } from '../dicom/attributes';
import { ImageMap, ImageRegion, ImageResult, StudyTimings } from '../domain/analysis';
import { largestRegion } from '../imaging/contour';
import { gridPeakOnSource, mapToSource } from '../imaging/geometry';
import { cancerActivationMap, focusedProbability } from '../inference/cam';
import { EngineOutput } from '../inference/engine';
import { runBatched } from '../inference/engines/run-batched';
import { ModelPackage } from '../inference/package/load';
import { PreparedImage } from './prepare-images';

export async function readImages(
  model: ModelPackage,
  items: readonly PreparedImage[],
  batchSize: number,
  timings: StudyTimings,
): Promise<{ images: ImageResult[]; maps: ImageMap[] }> {
  let t = performance.now();
  const out = await runBatched(model.engine, items.map((p) => p.input), batchSize);
  timings.inferMs += performance.now() - t;
  t = performance.now();
  const images: ImageResult[] = [];
  const maps: ImageMap[] = [];
  items.forEach((item, i) => {
    const cancerProbability = out.cancer[i * 2 + 1];
    const suspicious = cancerProbability >= model.manifest.thresholds.image;
    const image: ImageResult = {
      modelId: model.manifest.id,
      sopInstanceUid: item.source.sopInstanceUid,
      seriesInstanceUid: textOf(item.source.dataset.SeriesInstanceUID),
      sopClassUid: textOf(item.source.dataset.SOPClassUID),
      frame: item.frame,
      cancerProbability,
      stageProbabilities: Array.from(out.stage.subarray(i * 4, i * 4 + 4)) as [number, number, number, number],
      suspicious,
      region: null,
    };
    if (suspicious) {
      const localised = localise(model, out, i, item);
      if (localised) {
        image.region = localised.region;
        maps.push(localised.map);
      }
    }
    images.push(image);
  });
  timings.localiseMs += performance.now() - t;
  return { images, maps };
}

function localise(model: ModelPackage, out: EngineOutput, i: number, item: PreparedImage): { region: ImageRegion; map: ImageMap } | null {
  const cam = cancerActivationMap(out, model.head, i);
  const { sourceColumns: width, sourceRows: height } = item.geometry;
  const probability = mapToSource(focusedProbability(cam), cam.width, cam.height, item.geometry);
  const region = largestRegion(probability, width, height, model.manifest.thresholds.localisation);
  if (!region) return null;
  let sum = 0;
  for (let p = 0; p < region.mask.length; p++) if (region.mask[p]) sum += probability[p];
  return {
    region: { contour: region.contour, box: region.box, peak: gridPeakOnSource(cam.logit, cam.width, cam.height, item.geometry), areaPixels: region.area, meanProbability: sum / region.area },
    map: { sopInstanceUid: item.source.sopInstanceUid, frame: item.frame, width, height, probability },
  };
}
