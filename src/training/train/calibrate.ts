/**
 * BatchNorm statistics from data for a randomly initialised backbone. With default moving statistics (mean 0,
 * variance 1) a deep random ResNet's activations drift far from unit scale; one forward pass in training mode
 * normalises every layer by its batch statistics, and recording each BN layer's input moments makes inference mode
 * behave the same way. (Not needed, and not done, for ImageNet-initialised weights.)
 */
import * as tf from '@tensorflow/tfjs';

export function calibrateBatchNorm(model: tf.LayersModel, batch: tf.Tensor4D): number {
  const layers = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
  const probe = tf.model({ inputs: model.inputs, outputs: layers.map((l) => l.input as tf.SymbolicTensor) });
  tf.tidy(() => {
    const inputs = probe.apply(batch, { training: true }) as tf.Tensor[];
    layers.forEach((layer, i) => {
      const { mean, variance } = tf.moments(inputs[i], [0, 1, 2]);
      const [gamma, beta] = layer.getWeights();
      layer.setWeights([gamma, beta, mean, variance]);
    });
  });
  return layers.length;
}
