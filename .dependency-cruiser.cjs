/**
 * Layer rules for src/ (issue 10), checked by `npm run lint:deps` and by scripts/test.sh after the type check.
 *
 * A folder may import its own layer and the layers below it, never a layer above. Data flows upward: plain domain
 * types, RGB pictures, then DICOM/pixel/observability building blocks, then the model runtime, then the things built
 * on a model or on storage, then the study analysis (and the training that evaluates with it), the job pipeline, the
 * HTTP API and outgoing notifiers, the node that wires them together, and last the command line and benchmarks that
 * start a node.
 */

/**
 * Low to high. Folders in one row are peers unless a rule below says otherwise.
 * - raster: RGB pictures, drawing and PNG, used by the DICOM SC builder, imaging's display code and training reports.
 * - training sits on analysis: its evaluation scores studies with the node's own rule (src/analysis/aggregate.ts),
 *   so that the study AUROC measures what the node reports; nothing in the node imports training.
 */
const LAYERS = [
  ['domain'],
  ['raster'],
  ['dicom', 'imaging', 'logging', 'metrics', 'net', 'types', 'security', 'audit'],
  ['inference'],
  ['synth', 'results', 'store', 'export', 'ingest', 'dicomweb', 'orthanc', 'config'],
  ['analysis'],
  ['training'],
  ['pipeline'],
  ['api', 'notify'],
  ['node'],
  ['cli', 'bench'],
];

const folders = (names) => `^src/(${names.join('|')})/`;

const upwardRules = LAYERS.slice(0, -1).flatMap((row, index) => {
  const above = LAYERS.slice(index + 1).flat();
  return row.map((folder) => ({
    name: `${folder}-imports-only-lower-layers`,
    comment: `src/${folder} is below ${above.join(', ')}: it must not import them.`,
    severity: 'error',
    from: { path: folders([folder]) },
    to: { path: folders(above) },
  }));
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A file cycle means two modules cannot be read or tested apart; break it by moving the shared part down.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'domain-imports-nothing-from-src',
      comment: 'src/domain holds plain types every layer shares, so it depends on no other part of src.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'dicom-not-imaging',
      comment:
        'src/dicom builds and reads DICOM objects; src/imaging decodes and rasters pixels on top of it (it reads ' +
        'datasets through src/dicom/io). Pixel helpers the DICOM builders need live in src/dicom.',
      severity: 'error',
      from: { path: '^src/dicom/' },
      to: { path: '^src/imaging/' },
    },
    {
      name: 'synth-not-training',
      comment: 'Training reads synthetic studies; the synthetic generator must not depend on the trainer.',
      severity: 'error',
      from: { path: '^src/synth/' },
      to: { path: '^src/training/' },
    },
    {
      name: 'every-src-folder-has-a-layer',
      comment: 'A new folder under src/ must be placed in LAYERS in .dependency-cruiser.cjs.',
      severity: 'error',
      from: { path: '^src/', pathNot: folders(LAYERS.flat()) },
      to: { path: '^src/' },
    },
    // Covers, among the rest, "src/results must not import src/analysis" and "nothing below src/node imports
    // src/node or src/cli".
    ...upwardRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a layer that needs a type from above is as coupled as one that calls it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
