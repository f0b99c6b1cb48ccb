/** The README's demo path, once: a real Orthanc, a synthetic patient stored by STOW-RS and found again by QIDO-RS. */
import { runCli } from '../helpers/cli';

test('gastric-ai demo --once --json loads a synthetic ES/CT/PT patient into a local Orthanc', () => {
  const r = runCli(['demo', '--once', '--json', '--seed', '4']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const result = JSON.parse(r.stdout) as { synthetic: boolean; studies: Array<{ modalities: string[]; instances: number }> };
  expect(result.synthetic).toBe(true);
  expect(result.studies.map((s) => s.modalities)).toEqual([['ES'], ['CT'], ['PT']]);
  expect(result.studies.map((s) => s.instances)).toEqual([8, 16, 16]);
});
