/** `gastric-ai bench inference --json` produces the engine comparison and the whole-path timing (speed itself is not asserted). */
import { runCli } from '../helpers/cli';

test('bench inference prints onnx engine, raw session and tfjs rows plus the per-image pipeline', () => {
  const r = runCli(['bench', 'inference', '--json', '--size', '64', '--runs', '2', '--tfjs-runs', '1', '--pipeline-images', '2']);
  expect(r.status).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.inputSize).toBe(64);
  const runners = out.rows.map((row: { runner: string; batch: number }) => `${row.runner}@${row.batch}`);
  expect(runners).toEqual(expect.arrayContaining(['onnx-engine@1', 'onnx-raw@1', 'onnx-engine@8', 'onnx-raw@8', 'tfjs-wasm@1', 'tfjs-wasm@8']));
  expect(Object.keys(out.engineOverRaw)).toEqual(['1', '8']);
  expect(out.pipeline.images).toBe(2);
  expect(Object.keys(out.pipeline.msPerImage)).toEqual(['decode', 'preprocess', 'infer', 'localise', 'total', 'inferDihedral']);
  for (const v of Object.values(out.pipeline.msPerImage) as number[]) expect(v).toBeGreaterThan(0);
});
