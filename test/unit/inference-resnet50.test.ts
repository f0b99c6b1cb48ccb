/** buildGastricResNet50: Keras ResNet50 names in the v1 and v1.5 layouts, the three outputs, seeded initialisation. */
import { buildGastricResNet50, resnetVariantOf } from '../../src/inference/model/resnet50';

const strides = (model: ReturnType<typeof buildGastricResNet50>, name: string): number[] => (model.getLayer(name).getConfig() as { strides: number[] }).strides;

test('Keras layer names and parameter count, outputs cancer / stage / features', () => {
  const model = buildGastricResNet50({ inputSize: 64, seed: 1, variant: 'v1' });
  const names = model.layers.map((l) => l.name);
  for (const name of ['conv1_pad', 'conv1_conv', 'conv1_bn', 'conv1_relu', 'pool1_pad', 'pool1_pool',
    'conv2_block1_0_conv', 'conv2_block1_1_conv', 'conv2_block3_out', 'conv3_block4_out', 'conv4_block6_out',
    'conv5_block1_0_bn', 'conv5_block3_3_conv', 'conv5_block3_out', 'avg_pool']) {
    expect(names).toContain(name);
  }
  expect(names.filter((n) => /_conv$/.test(n))).toHaveLength(53);
  // keras.applications.ResNet50(include_top=False) has 23,587,712 parameters; the heads add 2048·2+2 and 2048·4+4.
  expect(model.countParams()).toBe(23587712 + 4098 + 8196);
  // Keras v1: the stride 2 sits on the first 1x1 conv of stages 3–5 (and their projection), not on the 3x3.
  expect(strides(model, 'conv3_block1_1_conv')).toEqual([2, 2]);
  expect(strides(model, 'conv3_block1_2_conv')).toEqual([1, 1]);
  expect(resnetVariantOf(model)).toBe('v1');

  expect(model.outputNames).toEqual(['cancer', 'stage', 'features']);
  expect(model.outputs.map((o) => o.shape)).toEqual([[null, 2], [null, 4], [null, 2, 2, 2048]]);
  expect(model.inputs[0].shape).toEqual([null, 64, 64, 3]);
  model.dispose();
});

test('v1.5 (torchvision, the default): the stride on the 3x3 after an explicit pad; same parameters and outputs', () => {
  const model = buildGastricResNet50({ inputSize: 64, seed: 1 });
  expect(resnetVariantOf(model)).toBe('v1.5');
  for (const stage of ['conv3', 'conv4', 'conv5']) {
    expect(strides(model, `${stage}_block1_1_conv`)).toEqual([1, 1]);
    expect(strides(model, `${stage}_block1_2_conv`)).toEqual([2, 2]);
    expect(model.getLayer(`${stage}_block1_2_conv`).getConfig().padding).toBe('valid');
    expect(model.getLayer(`${stage}_block1_2_pad`).getClassName()).toBe('ZeroPadding2D');
  }
  expect(model.countParams()).toBe(23587712 + 4098 + 8196);
  expect(model.outputs.map((o) => o.shape)).toEqual([[null, 2], [null, 4], [null, 2, 2, 2048]]);
  model.dispose();
});

test('the seed makes initialisation deterministic, and layers do not share initial weights', () => {
  const kernels = (seed: number) => {
    const model = buildGastricResNet50({ inputSize: 32, seed });
    const pick = ['conv2_block2_1_conv', 'conv2_block3_1_conv', 'cancer'].map((n) => model.getLayer(n).getWeights()[0].dataSync().slice(0, 64));
    model.dispose();
    return pick;
  };
  const a = kernels(7);
  const b = kernels(7);
  const c = kernels(8);
  expect(a).toEqual(b);
  expect(a[0]).not.toEqual(c[0]);
  expect(a[0]).not.toEqual(a[1]); // equal shapes, different seeds per layer
});

test('rejects an input too small for five stride-2 steps', () => {
  expect(() => buildGastricResNet50({ inputSize: 16 })).toThrow(RangeError);
});
