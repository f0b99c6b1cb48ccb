/** Test-time augmentation: the views, their inverses, and the combined output of a real engine. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cancerActivationMap, cancerHeadWeights } from '../../src/inference/cam';
import type { EngineOutput, InferenceEngine } from '../../src/inference/engine';
import { selectEngine } from '../../src/inference/engines/select';
import { initTfjsBackend } from '../../src/inference/engines/tfjs-backend';
import { saveModelFloat16 } from '../../src/inference/model/weights-io';
import { AugmentedEngine, transformGrids, viewsOf, withTestTimeAugmentation } from '../../src/inference/tta';
import { DEFAULT_AUGMENT_POLICY, viewsTrainedWith } from '../../src/training/dataset/augment-policy';
import { randomGastricModel, randomImages } from '../helpers/random-model';

const grid = (n: number, channels: number): Float32Array => Float32Array.from({ length: n * n * channels }, (_, i) => i);

test('the views: identity first, 1/2/4/8 distinct permutations, each undone by its inverse', () => {
  const n = 5;
  const data = grid(n, 2);
  for (const [tta, count] of [['none', 1], ['hflip', 2], ['flips', 4], ['dihedral', 8]] as const) {
    const views = viewsOf(tta);
    expect(views).toHaveLength(count);
    expect(views[0]).toEqual({ transpose: false, flipColumns: false, flipRows: false });
    const images = views.map((v) => transformGrids(data, 1, n, 2, v));
    expect(new Set(images.map((x) => x.join(','))).size).toBe(count);
    views.forEach((v, i) => expect(transformGrids(images[i], 1, n, 2, v, true)).toEqual(data));
  }
});

test('a mirrored view reverses columns and a transposed one swaps rows and columns, per image in a batch', () => {
  const n = 3;
  const two = Float32Array.from([...grid(n, 1), ...grid(n, 1).map((v) => v + 100)]);
  const [, mirror] = viewsOf('hflip');
  expect(Array.from(transformGrids(two, 2, n, 1, mirror))).toEqual([2, 1, 0, 5, 4, 3, 8, 7, 6, 102, 101, 100, 105, 104, 103, 108, 107, 106]);
  const transpose = viewsOf('dihedral')[4];
  expect(transpose.transpose && !transpose.flipColumns && !transpose.flipRows).toBe(true);
  expect(Array.from(transformGrids(grid(n, 1), 1, n, 1, transpose))).toEqual([0, 3, 6, 1, 4, 7, 2, 5, 8]);
});

/**
 * An exactly equivariant stand-in for a network: its feature map IS the input grid. Whatever views the wrapper runs,
 * the features it turns back and averages must equal the input's own, cell for cell; a view turned back the wrong
 * way would move values.
 */
class EquivariantEngine implements InferenceEngine {
  readonly kind = 'onnx';
  readonly backend = 'identity';
  calls = 0;
  constructor(readonly inputSize: number) {}
  async run(input: Float32Array, n: number): Promise<EngineOutput> {
    this.calls++;
    const cancer = new Float32Array(n * 2).fill(0.5);
    const stage = new Float32Array(n * 4).fill(0.25);
    return { cancer, stage, features: input.slice(), featureShape: [this.inputSize, this.inputSize, 3] };
  }
  async dispose(): Promise<void> {}
}

test('views are turned back before averaging: an equivariant model gets its own feature map back, for every setting', async () => {
  const size = 6;
  const input = randomImages(2, size, 5);
  for (const tta of ['hflip', 'flips', 'dihedral'] as const) {
    const base = new EquivariantEngine(size);
    const engine = new AugmentedEngine(base, tta);
    const out = await engine.run(input, 2);
    expect(base.calls).toBe(engine.viewCount);
    for (let i = 0; i < input.length; i++) expect(out.features[i]).toBeCloseTo(input[i], 5);
  }
  const plain = new EquivariantEngine(size);
  expect(withTestTimeAugmentation(plain, 'none')).toBe(plain);
});

test('the views ES is trained with are all served; CT and PET keep their orientation', () => {
  expect(viewsTrainedWith(DEFAULT_AUGMENT_POLICY.ES)).toBe('dihedral');
  expect(viewsTrainedWith(DEFAULT_AUGMENT_POLICY.CT)).toBe('none');
  expect(viewsTrainedWith(DEFAULT_AUGMENT_POLICY.PT)).toBe('none');
  expect(viewsTrainedWith({ ...DEFAULT_AUGMENT_POLICY.ES, rotate90: false })).toBe('flips');
});

describe('with a real ResNet50 on ONNX Runtime', () => {
  const SIZE = 64;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-tta-'));
  beforeAll(() => initTfjsBackend());
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('the combined cancer logit is the mean of the views\' logits and the mean of the combined activation map', async () => {
    const model = randomGastricModel(SIZE, 61);
    await saveModelFloat16(model, tmp);
    const head = cancerHeadWeights(model);
    const base = await selectEngine({ engine: 'onnx', modelDir: tmp, model });
    const engine = new AugmentedEngine(base, 'dihedral');
    const n = 2;
    const input = randomImages(n, SIZE, 9);
    const combined = await engine.run(input, n);
    const logit = (p: Float32Array, i: number): number => Math.log(p[i * 2 + 1] / p[i * 2]);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      const stage = [0, 0, 0, 0];
      for (const v of viewsOf('dihedral')) {
        const one = await base.run(transformGrids(input, n, SIZE, 3, v), n);
        sum += logit(one.cancer, i);
        for (let s = 0; s < 4; s++) stage[s] += one.stage[i * 4 + s] / 8;
      }
      expect(logit(combined.cancer, i)).toBeCloseTo(sum / 8, 4);
      stage.forEach((p, s) => expect(combined.stage[i * 4 + s]).toBeCloseTo(p, 5));
      const map = cancerActivationMap(combined, head, i);
      const meanMap = map.logit.reduce((a, b) => a + b, 0) / map.logit.length;
      expect(meanMap).toBeCloseTo(logit(combined.cancer, i), 3);
    }
    await engine.dispose();
    model.dispose();
  });
});
