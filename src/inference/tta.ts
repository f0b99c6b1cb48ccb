/**
 * Test-time augmentation: every image is also read in the flipped and quarter-turned views that training augments
 * with, and the views are combined into ONE output in the original orientation, so the rest of the node (study
 * scoring, activation maps, SEG) does not change.
 *
 * Combination rule: each view's feature map is turned back to the original orientation and the maps are averaged.
 * The cancer head is linear after global average pooling (cam.ts), so the combined cancer logit is exactly the mean
 * of the views' logits, and the activation map of the averaged features is the mean of the views' maps. Stage
 * probabilities are averaged.
 *
 * Only views the model was trained with make sense: endoscopy has no up or left, CT and PET have (their training
 * policy does not flip), so each manifest names its own set.
 */
import { checkEngineInput, type EngineOutput, type InferenceEngine } from './engine';

export const TEST_TIME_AUGMENTATIONS = ['none', 'hflip', 'flips', 'dihedral'] as const;
export type TestTimeAugmentation = (typeof TEST_TIME_AUGMENTATIONS)[number];

/** A view of a square grid: transpose first, then flip columns, then flip rows. */
export interface View {
  transpose: boolean;
  flipColumns: boolean;
  flipRows: boolean;
}

const view = (transpose: boolean, flipColumns: boolean, flipRows: boolean): View => ({ transpose, flipColumns, flipRows });

/** The views of each setting; the identity is always first. */
export function viewsOf(tta: TestTimeAugmentation): View[] {
  const identity = view(false, false, false);
  switch (tta) {
    case 'none':
      return [identity];
    case 'hflip':
      return [identity, view(false, true, false)];
    case 'flips':
      return [identity, view(false, true, false), view(false, false, true), view(false, true, true)];
    case 'dihedral':
      return [false, true].flatMap((t) => [view(t, false, false), view(t, true, false), view(t, false, true), view(t, true, true)]);
  }
}

/** Where the cell (row, column) of an n × n grid goes under the view: [row, column]. */
function mapCell(v: View, row: number, column: number, n: number): [number, number] {
  let r = row;
  let c = column;
  if (v.transpose) [r, c] = [c, r];
  if (v.flipColumns) c = n - 1 - c;
  if (v.flipRows) r = n - 1 - r;
  return [r, c];
}

/**
 * Applies the view to `count` square n × n grids of `channels` values per cell (NHWC), or its inverse:
 * forward moves each cell to where the view puts it; inverse reads it back from there.
 */
export function transformGrids(data: Float32Array, count: number, n: number, channels: number, v: View, inverse = false): Float32Array {
  const out = new Float32Array(data.length);
  const per = n * n * channels;
  for (let i = 0; i < count; i++) {
    const base = i * per;
    for (let row = 0; row < n; row++) {
      for (let column = 0; column < n; column++) {
        const [r, c] = mapCell(v, row, column, n);
        const original = base + (row * n + column) * channels;
        const moved = base + (r * n + c) * channels;
        if (inverse) out.set(data.subarray(moved, moved + channels), original);
        else out.set(data.subarray(original, original + channels), moved);
      }
    }
  }
  return out;
}

const isIdentity = (v: View): boolean => !v.transpose && !v.flipColumns && !v.flipRows;

/** An engine that runs each batch in every view of `tta` and returns the combined output. */
export class AugmentedEngine implements InferenceEngine {
  private readonly views: View[];

  constructor(
    private readonly base: InferenceEngine,
    readonly testTimeAugmentation: TestTimeAugmentation,
  ) {
    this.views = viewsOf(testTimeAugmentation);
  }

  get kind(): InferenceEngine['kind'] {
    return this.base.kind;
  }

  get backend(): string {
    return this.base.backend;
  }

  get inputSize(): number {
    return this.base.inputSize;
  }

  /** How many engine passes one image costs. */
  get viewCount(): number {
    return this.views.length;
  }

  async run(input: Float32Array, n: number): Promise<EngineOutput> {
    checkEngineInput(input, n, this.inputSize);
    const outputs: EngineOutput[] = [];
    for (const v of this.views) {
      const viewed = isIdentity(v) ? input : transformGrids(input, n, this.inputSize, 3, v);
      outputs.push(await this.base.run(viewed, n));
    }
    if (outputs.length === 1) return outputs[0];
    return combine(outputs, this.views, n);
  }

  dispose(): Promise<void> {
    return this.base.dispose();
  }
}

function combine(outputs: EngineOutput[], views: View[], n: number): EngineOutput {
  const [h, w, channels] = outputs[0].featureShape;
  if (h !== w) throw new Error(`test-time augmentation needs a square feature grid, got ${h} × ${w}`);
  const k = outputs.length;
  const features = new Float32Array(outputs[0].features.length);
  outputs.forEach((o, i) => {
    const back = isIdentity(views[i]) ? o.features : transformGrids(o.features, n, h, channels, views[i], true);
    for (let j = 0; j < features.length; j++) features[j] += back[j] / k;
  });
  const cancer = new Float32Array(n * 2);
  const stage = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    // Mean log-odds: what the linear head gives for the averaged features.
    let logit = 0;
    for (const o of outputs) logit += Math.log(Math.max(o.cancer[i * 2 + 1], 1e-30)) - Math.log(Math.max(o.cancer[i * 2], 1e-30));
    const p = 1 / (1 + Math.exp(-logit / k));
    cancer[i * 2] = 1 - p;
    cancer[i * 2 + 1] = p;
    for (let s = 0; s < 4; s++) for (const o of outputs) stage[i * 4 + s] += o.stage[i * 4 + s] / k;
  }
  return { cancer, stage, features, featureShape: outputs[0].featureShape };
}

/** The engine itself for 'none', else the augmenting wrapper. */
export function withTestTimeAugmentation(engine: InferenceEngine, tta: TestTimeAugmentation): InferenceEngine {
  return tta === 'none' ? engine : new AugmentedEngine(engine, tta);
}

const DESCRIPTIONS: Record<TestTimeAugmentation, string> = {
  none: 'none (1 view)',
  hflip: 'hflip (2 views: as is, mirrored)',
  flips: 'flips (4 views: as is, mirrored left-right, up-down, both)',
  dihedral: 'dihedral (8 views: the 4 flips, and each transposed)',
};

/** For reports: the setting and how many passes it costs. */
export function describeTestTimeAugmentation(tta: TestTimeAugmentation): string {
  return DESCRIPTIONS[tta];
}

/** The node config's setting: 'model' keeps each manifest's views, anything else overrides them. */
export type TestTimeAugmentationSetting = TestTimeAugmentation | 'model';
