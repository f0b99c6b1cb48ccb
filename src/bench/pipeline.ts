/**
 * The whole per-image path the node runs for an endoscopy still: decode (JPEG baseline) → preprocess → infer (onnx,
 * batch 1) → CAM → map back to source pixels → region outline. Timed per stage on a synthetic 640×480 frame; the
 * inference is also timed with dihedral test-time augmentation (8 views, src/inference/tta.ts), which replaces
 * `infer` in a model that asks for it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readPart10File } from '../dicom/io';
import { largestRegion } from '../imaging/contour';
import { decodeFrame } from '../imaging/decode';
import { mapToSource } from '../imaging/geometry';
import { defaultPreprocessSpec, preprocess } from '../imaging/preprocess';
import { cancerActivationMap, cancerHeadWeights } from '../inference/cam';
import { OnnxEngine } from '../inference/engines/onnx-engine';
import { AugmentedEngine } from '../inference/tta';
import { buildGastricResNet50 } from '../inference/model/resnet50';
import { exportOnnx } from '../inference/onnx/export';
import { DEFAULT_SYNTH_OPTIONS, generateSynthetic } from '../synth/generate';
import { listDicomFiles } from '../synth/files';

export interface PipelineBench {
  inputSize: number;
  images: number;
  /** Median milliseconds per image for each stage and in total. */
  msPerImage: { decode: number; preprocess: number; infer: number; localise: number; total: number; inferDihedral: number };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchPipeline(inputSize: number, images: number, threads: number): Promise<PipelineBench> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-bench-'));
  try {
    generateSynthetic({ ...DEFAULT_SYNTH_OPTIONS, out: tmp, seed: 3, patients: 1, normalFraction: 0, jpeg: true, modalities: ['ES'], endoscopyImages: images });
    const files = listDicomFiles(tmp);
    const model = buildGastricResNet50({ inputSize, seed: 1 });
    const head = cancerHeadWeights(model);
    const engine = await OnnxEngine.create(exportOnnx(model), { threads, cuda: false });
    const dihedral = new AugmentedEngine(engine, 'dihedral');
    model.dispose();
    const spec = defaultPreprocessSpec('ES', inputSize);
    const stages = { decode: [] as number[], preprocess: [] as number[], infer: [] as number[], localise: [] as number[], total: [] as number[], inferDihedral: [] as number[] };
    const runOnce = async (file: string): Promise<number[]> => {
      const t0 = performance.now();
      const part10 = readPart10File(file);
      const frame = await decodeFrame(part10, 0);
      const t1 = performance.now();
      const input = preprocess(frame, part10.dataset, spec);
      const t2 = performance.now();
      const out = await engine.run(input.data, 1);
      const t3 = performance.now();
      const cam = cancerActivationMap(out, head, 0);
      const map = mapToSource(cam.probability, cam.width, cam.height, input.geometry);
      largestRegion(map, input.geometry.sourceColumns, input.geometry.sourceRows, 0.5);
      const t4 = performance.now();
      await dihedral.run(input.data, 1);
      const t5 = performance.now();
      return [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0, t5 - t4];
    };
    await runOnce(files[0]); // warm-up: codec and session initialisation are not per-image costs
    for (const file of files) {
      const [decode, prep, infer, localise, total, inferDihedral] = await runOnce(file);
      stages.decode.push(decode);
      stages.preprocess.push(prep);
      stages.infer.push(infer);
      stages.localise.push(localise);
      stages.total.push(total);
      stages.inferDihedral.push(inferDihedral);
    }
    await engine.dispose();
    return {
      inputSize,
      images: files.length,
      msPerImage: { decode: median(stages.decode), preprocess: median(stages.preprocess), infer: median(stages.infer), localise: median(stages.localise), total: median(stages.total), inferDihedral: median(stages.inferDihedral) },
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
