/** The `tfjs` engine: the LayersModel itself on the best TF.js backend present (see tfjs-backend.ts). */
import * as tf from '@tensorflow/tfjs';
import { checkEngineInput, type EngineOutput, type InferenceEngine } from '../engine';
import { initTfjsBackend } from './tfjs-backend';

export class TfjsEngine implements InferenceEngine {
  readonly kind = 'tfjs' as const;
  readonly inputSize: number;
  private readonly outputIndex: { cancer: number; stage: number; features: number };

  private constructor(private readonly model: tf.LayersModel, readonly backend: string) {
    const shape = model.inputs[0].shape;
    this.inputSize = shape[1] as number;
    const index = (name: string): number => {
      const i = model.outputNames.indexOf(name);
      if (i < 0) throw new Error(`model has no output '${name}' (outputs: ${model.outputNames.join(', ')})`);
      return i;
    };
    this.outputIndex = { cancer: index('cancer'), stage: index('stage'), features: index('features') };
  }

  /** The engine takes ownership of the model: dispose() frees its weights. */
  static async create(model: tf.LayersModel): Promise<TfjsEngine> {
    const backend = await initTfjsBackend();
    return new TfjsEngine(model, backend);
  }

  async run(input: Float32Array, n: number): Promise<EngineOutput> {
    checkEngineInput(input, n, this.inputSize);
    const s = this.inputSize;
    const outputs = tf.tidy(() => this.model.predict(tf.tensor4d(input, [n, s, s, 3])) as tf.Tensor[]);
    try {
      const [cancer, stage, features] = await Promise.all([
        outputs[this.outputIndex.cancer].data<'float32'>(),
        outputs[this.outputIndex.stage].data<'float32'>(),
        outputs[this.outputIndex.features].data<'float32'>(),
      ]);
      const [, h, w, c] = outputs[this.outputIndex.features].shape;
      return { cancer, stage, features, featureShape: [h, w, c] };
    } finally {
      tf.dispose(outputs);
    }
  }

  async dispose(): Promise<void> {
    this.model.dispose();
  }
}
