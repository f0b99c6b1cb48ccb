/** Class activation maps: consistent with the image-level cancer output, and the same from either engine. */
import { cancerActivationMap, cancerHeadWeights, focusedProbability } from '../../src/inference/cam';
import { OnnxEngine } from '../../src/inference/engines/onnx-engine';
import { TfjsEngine } from '../../src/inference/engines/tfjs-engine';
import { exportOnnx } from '../../src/inference/onnx/export';
import { randomGastricModel, randomImages } from '../helpers/random-model';

const SIZE = 96; // a 3 × 3 feature grid, so the map has a spatial extent to average over

test('mean of M equals log(p1/p0) of the cancer output, and both engines give the same maps', async () => {
  const model = randomGastricModel(SIZE, 41);
  const head = cancerHeadWeights(model);
  expect(head.weightDiff).toHaveLength(2048);
  const onnxEngine = await OnnxEngine.create(exportOnnx(model));
  const tfjsEngine = await TfjsEngine.create(model);
  const n = 2;
  const input = randomImages(n, SIZE, 8);
  const outputs = [await onnxEngine.run(input, n), await tfjsEngine.run(input, n)];

  let worstMean = 0;
  let worstEngineDiff = 0;
  for (let i = 0; i < n; i++) {
    const maps = outputs.map((out) => cancerActivationMap(out, head, i));
    for (const [e, map] of maps.entries()) {
      expect([map.height, map.width]).toEqual([3, 3]);
      const mean = map.logit.reduce((s, v) => s + v, 0) / map.logit.length;
      const [p0, p1] = [outputs[e].cancer[2 * i], outputs[e].cancer[2 * i + 1]];
      worstMean = Math.max(worstMean, Math.abs(mean - Math.log(p1 / p0)));
      map.probability.forEach((p, j) => expect(p).toBeCloseTo(1 / (1 + Math.exp(-map.logit[j])), 6));
    }
    maps[0].logit.forEach((v, j) => { worstEngineDiff = Math.max(worstEngineDiff, Math.abs(v - maps[1].logit[j])); });
    maps[0].probability.forEach((v, j) => { worstEngineDiff = Math.max(worstEngineDiff, Math.abs(v - maps[1].probability[j])); });
  }
  expect(worstMean).toBeLessThan(1e-4);
  expect(worstEngineDiff).toBeLessThan(1e-4);
  process.stdout.write(`cam: |mean M − log(p1/p0)| ≤ ${worstMean.toExponential(2)}, onnx vs tfjs maps ≤ ${worstEngineDiff.toExponential(2)}\n`);

  expect(() => cancerActivationMap(outputs[0], head, n)).toThrow(RangeError);
  await onnxEngine.dispose();
  await tfjsEngine.dispose();
});

test('the localisation focus keeps the upper half of the logit range and zeroes the rest', () => {
  const logit = Float32Array.from([-2, 0, 1, 2, 4, 6]);
  const map = { height: 2, width: 3, logit, probability: logit.map((v) => 1 / (1 + Math.exp(-v))) };
  const focus = focusedProbability(map);
  // range -2..6, cut at 2: cells with logit >= 2 keep their probability.
  expect(Array.from(focus).map((v) => Number(v.toFixed(3)))).toEqual([0, 0, 0, 0.881, 0.982, 0.998]);
});
