/** Float16 LayersModel folders: the encoder, the shard layout tfjs reads, and a model that survives the round trip. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initTfjsBackend } from '../../src/inference/engines/tfjs-backend';
import { decodeFloat16, encodeFloat16 } from '../../src/inference/model/float16';
import { loadModel, MAX_SHARD_BYTES, saveModelFloat16 } from '../../src/inference/model/weights-io';
import { randomGastricModel, randomImages } from '../helpers/random-model';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-weights-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await initTfjsBackend();
});

describe('float16 encoding', () => {
  test('exact values, limits, subnormals and ties to even', () => {
    const cases: [number, number][] = [
      [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff],
      [65520, 0x7c00], // rounds up past the largest half: Inf
      [Infinity, 0x7c00], [2 ** -14, 0x0400], [2 ** -24, 0x0001], [2 ** -26, 0x0000],
      [1 + 2 ** -11, 0x3c00], // tie → even mantissa (down)
      [1 + 3 * 2 ** -11, 0x3c02], // tie → even mantissa (up)
      [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie: up
    ];
    const bits = encodeFloat16(Float32Array.from(cases.map(([v]) => v)));
    expect(Array.from(bits)).toEqual(cases.map(([, b]) => b));
    expect(Number.isNaN(decodeFloat16(encodeFloat16(Float32Array.of(NaN)))[0])).toBe(true);
  });

  test('relative error at most 2^-11 in the normal range', () => {
    const values = Float32Array.from({ length: 10000 }, (_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 9) - 4));
    const back = decodeFloat16(encodeFloat16(values));
    values.forEach((v, i) => {
      if (Math.abs(v) >= 2 ** -14) expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11);
    });
  });
});

describe('saveModelFloat16 / loadModel', () => {
  const model = randomGastricModel(64, 31);
  const dir = path.join(tmp, 'model');
  afterAll(() => model.dispose());

  test('writes model.json and ≤ 4 MB shards marked float16; size is 2 bytes per parameter', async () => {
    const saved = await saveModelFloat16(model, dir);
    const json = JSON.parse(fs.readFileSync(saved.modelJson, 'utf8'));
    expect(json.format).toBe('layers-model');
    const [group] = json.weightsManifest;
    expect(group.weights.every((w: { quantization?: { dtype: string } }) => w.quantization?.dtype === 'float16')).toBe(true);
    for (const shard of saved.shards) expect(fs.statSync(shard).size).toBeLessThanOrEqual(MAX_SHARD_BYTES);
    const params = model.countParams();
    expect(saved.weightBytes).toBe(2 * params);
    // ResNet50 weights do not depend on the input size: this is the size of the 224 px model too.
    process.stdout.write(`float16 ResNet50: ${params} parameters, ${(saved.weightBytes / 1e6).toFixed(1)} MB in ${saved.shards.length} shards\n`);
  });

  test('reloaded weights are exactly the float16-rounded originals, and outputs match within float16 error', async () => {
    const reloaded = await loadModel(dir);
    expect(reloaded.outputNames).toEqual(['cancer', 'stage', 'features']);
    const originalWeights = model.getWeights();
    const reloadedWeights = reloaded.getWeights();
    expect(reloadedWeights.map((w) => w.shape)).toEqual(originalWeights.map((w) => w.shape));
    reloadedWeights.forEach((w, i) => {
      const expected = decodeFloat16(encodeFloat16(originalWeights[i].dataSync() as Float32Array));
      expect(Buffer.from((w.dataSync() as Float32Array).buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    });

    const input = tf.tensor4d(randomImages(2, 64, 4), [2, 64, 64, 3]);
    const a = model.predict(input) as tf.Tensor[];
    const b = reloaded.predict(input) as tf.Tensor[];
    // Weights carry a relative error ≤ 2^-11 (≈ 5e-4); measured output errors are 1e-5 … 5e-4 of the output range.
    const rel = (x: tf.Tensor, y: tf.Tensor) => tf.tidy(() => x.sub(y).abs().max().div(x.abs().max()).dataSync()[0]);
    const errors = [rel(a[0], b[0]), rel(a[1], b[1]), rel(a[2], b[2])];
    for (const e of errors) expect(e).toBeLessThan(5e-3);
    process.stdout.write(`float16 vs float32 outputs, max |diff| / max |value|: ${errors.map((e) => e.toExponential(1)).join(', ')}\n`);
    tf.dispose([input, ...a, ...b]);
    reloaded.dispose();
  });
});
