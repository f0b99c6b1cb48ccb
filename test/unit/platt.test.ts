import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../src/synth/rng';
import { applyPlatt, fitPlatt, foldPlattIntoHead } from '../../src/training/train/platt';

test('fitPlatt recovers a known miscalibration', () => {
  const rng = createRng(4);
  const labels: number[] = [];
  const probs: number[] = [];
  for (let i = 0; i < 20000; i++) {
    const z = rng.normal(0, 2);
    const truth = 1 / (1 + Math.exp(-z));
    labels.push(rng.chance(truth) ? 1 : 0);
    // An overconfident, shifted model: reports sigmoid(2.5 z + 1).
    probs.push(1 / (1 + Math.exp(-(2.5 * z + 1))));
  }
  const platt = fitPlatt(labels, probs);
  expect(platt.scale).toBeCloseTo(1 / 2.5, 1);
  expect(platt.offset).toBeCloseTo(-1 / 2.5, 1);
  expect(applyPlatt(0.5, { scale: 1, offset: 0 })).toBeCloseTo(0.5, 10);
  expect(fitPlatt([1, 1], [0.2, 0.3])).toEqual({ scale: 1, offset: 0 });
});

test('folding into the softmax head gives the calibrated probability from the model itself', () => {
  const input = tf.input({ shape: [5] });
  const head = tf.layers.dense({ units: 2, activation: 'softmax', name: 'cancer', kernelInitializer: tf.initializers.randomNormal({ seed: 3 }) }).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: head });
  const x = tf.randomNormal([16, 5], 0, 1, 'float32', 9);
  const before = Array.from((model.predict(x) as tf.Tensor2D).arraySync().map((r) => r[1]));
  const platt = { scale: 0.4, offset: -0.7 };
  foldPlattIntoHead(model, platt);
  const after = (model.predict(x) as tf.Tensor2D).arraySync().map((r) => r[1]);
  before.forEach((p, i) => expect(after[i]).toBeCloseTo(applyPlatt(p, platt), 5));
});
