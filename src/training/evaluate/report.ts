/**
 * The evaluation report: index.html and report.md with the same tables, and the figures as SVG files next to them
 * (roc.svg, roc-study.svg, stage-confusion.svg, stage-confusion-study.svg, reliability.svg, and training-curves.svg
 * when the model package has a training history). Both documents are rendered from one list of sections so they
 * cannot drift apart.
 */
import * as fs from 'fs';
import * as path from 'path';
import { confusionPlotSvg, EpochRecord, reliabilityPlotSvg, rocPlotSvg, trainingCurvesPlotSvg } from '../plots';
import { escapeHtml, page, table } from '../report/html';
import type { Proportion } from '../metrics';
import { describeTestTimeAugmentation as describeTta } from '../../inference/tta';
import type { AurocSummary, EvaluationResult, OperatingPoint, PointingScore } from './metrics';
import type { StageAgreement } from './stage';

interface Table {
  headers: string[];
  rows: Array<Array<string | number>>;
}

interface Section {
  title: string;
  text: string[];
  tables: Table[];
  figures: Array<{ file: string; caption: string }>;
}

export interface ReportFiles {
  html: string;
  markdown: string;
  figures: string[];
}

const num = (v: number | null, digits = 3): string => (v === null ? '–' : v.toFixed(digits));
const ci = (lower: number | null | undefined, upper: number | null | undefined): string => (lower == null || upper == null ? '' : ` (${num(lower)}–${num(upper)})`);
const prop = (p: Proportion): string => `${num(p.value)}${ci(p.ci?.lower, p.ci?.upper)} [${p.successes}/${p.trials}]`;
const auc = (a: AurocSummary): string => (a.estimate === null ? `– (${a.note ?? 'not computed'})` : `${num(a.estimate)}${ci(a.ci?.lower, a.ci?.upper)}`);
const hitRate = (s: PointingScore): string => `${num(s.hitRate)} [${s.hits}/${s.scored}]`;

export function reportTitle(r: EvaluationResult): string {
  return `Evaluation: ${r.model.id} ${r.model.version} (${r.model.modality})`;
}

export function reportNotice(r: EvaluationResult): string {
  const what = [r.model.trainedOnSyntheticData ? 'a demo model trained on synthetic data' : null, r.data.synthetic ? 'synthetic data' : null].filter(Boolean).join(', evaluated on ');
  return r.notForClinicalUse ? `This evaluation concerns ${what || 'a model marked not for clinical use'}: not for clinical use.` : 'Model performance on the data below; not a clinical validation of the device.';
}

function splitText(r: EvaluationResult): string {
  const { split } = r.data;
  if (split.name === 'all') return `all images (${split.patients} patients)`;
  const o = split.options;
  const fractions = o ? `train/validation/test ${o.train}/${o.validation}/${o.test}, seed ${o.seed}` : '';
  const source = split.source === 'manifest' ? 'as recorded in the manifest' : 'FALLBACK: the manifest records no split, so these patients may have been trained on';
  return `test split by patient (${split.patients} patients; ${fractions}; ${source})`;
}

function operatingPointRows(level: string, points: OperatingPoint[]): Array<Array<string | number>> {
  return points.map((p) => [level, p.name, num(p.threshold), prop(p.sensitivity), prop(p.specificity), prop(p.ppv), prop(p.npv), `${p.counts.tp}/${p.counts.fp}/${p.counts.tn}/${p.counts.fn}`]);
}

function stageTable(s: StageAgreement, level: string): Table {
  return {
    headers: [`${level} (truth \\ predicted)`, ...s.classes],
    rows: s.confusionMatrix.map((row, i) => [`${s.classes[i]} (recall ${num(s.perClassRecall[i].recall)})`, ...row]),
  };
}

function sections(r: EvaluationResult, figures: Set<string>): Section[] {
  const fig = (file: string, caption: string): Array<{ file: string; caption: string }> => (figures.has(file) ? [{ file, caption }] : []);
  const c = r.counts;
  const out: Section[] = [
    {
      title: 'Model and data',
      text: [],
      tables: [{
        headers: ['', ''],
        rows: [
          ['model', `${r.model.id} ${r.model.version} (${r.model.modality}), device UID ${r.model.deviceUid}`],
          ['trained on', r.model.trainedOnSyntheticData ? 'synthetic data (demo)' : 'real data'],
          ['data', `${r.data.root}${r.data.synthetic ? ` (synthetic: ${r.data.syntheticImages} images)` : ''}`],
          ['split', splitText(r)],
          ['engine', `${r.options.engine} (${r.options.backend}), batch ${r.options.batchSize}; test-time augmentation ${describeTta(r.options.testTimeAugmentation)}`],
          ['confidence intervals', `${r.options.confidenceLevel * 100} %: AUROC by patient-cluster bootstrap (${r.options.bootstrapIterations} resamples, seed ${r.options.seed}), proportions by Wilson`],
        ],
      }],
      figures: [],
    },
    {
      title: 'Counts',
      text: [],
      tables: [{
        headers: ['', 'total', 'cancer', 'normal'],
        rows: [['patients', c.patients, '', ''], ['images', c.images, c.cancerImages, c.normalImages], ['studies', c.studies, c.cancerStudies, c.normalStudies], ['images skipped (unreadable)', c.skippedImages, '', '']],
      }],
      figures: [],
    },
    {
      title: 'Discrimination',
      text: [`Image AUROC ${auc(r.imageLevel.auroc)}; study AUROC ${auc(r.studyLevel.auroc)} (study probability: mean of the top ${r.studyLevel.aggregation.k} image probabilities; a study is cancer when any image has a cancer polygon).`],
      tables: [{
        headers: ['level', 'operating point', 'threshold', 'sensitivity', 'specificity', 'PPV', 'NPV', 'TP/FP/TN/FN'],
        rows: [...operatingPointRows('image', r.imageLevel.operatingPoints), ...operatingPointRows('study', r.studyLevel.operatingPoints)],
      }],
      figures: [...fig('roc.svg', 'ROC, image level'), ...fig('roc-study.svg', 'ROC, study level')],
    },
    {
      title: 'Stage',
      text: [
        `Images with a cancer polygon and a known patient stage: ${r.stage.image.cases}; accuracy ${num(r.stage.image.accuracy)}, quadratic weighted kappa ${num(r.stage.image.quadraticWeightedKappa)}.`,
        `Cancer studies with a known stage (estimate: argmax of the stage distribution of the suspicious images, or of the top-k when none is suspicious): ${r.stage.study.cases}; accuracy ${num(r.stage.study.accuracy)}, quadratic weighted kappa ${num(r.stage.study.quadraticWeightedKappa)}.`,
      ],
      tables: [stageTable(r.stage.image, 'image'), stageTable(r.stage.study, 'study')],
      figures: [...fig('stage-confusion.svg', 'Stage confusion, image level'), ...fig('stage-confusion-study.svg', 'Stage confusion, study level')],
    },
    {
      title: 'Calibration (image cancer probability)',
      text: [`ECE ${num(r.calibration.ece)} (10 bins), MCE ${num(r.calibration.mce)}, Brier score ${num(r.calibration.brier)}.`],
      tables: [],
      figures: fig('reliability.svg', 'Reliability diagram'),
    },
    {
      title: 'By sex',
      text: [],
      tables: [{
        headers: ['sex', 'patients', 'images', 'cancer images', 'studies', 'image AUROC'],
        rows: (['M', 'F'] as const).map((s) => [s, r.bySex[s].patients, r.bySex[s].images, r.bySex[s].cancerImages, r.bySex[s].studies, auc(r.bySex[s].auroc)]),
      }],
      figures: [],
    },
    {
      title: 'Localisation (pointing game)',
      text: ['A hit: the maximum of the class activation map, on source pixels, lies inside a labelled cancer polygon.'],
      tables: [{
        headers: ['images', 'hit rate [hits/scored]'],
        rows: [[`true positives (cancer, probability ≥ ${num(r.pointingGame.threshold)})`, hitRate(r.pointingGame.truePositives)], ['all cancer images', hitRate(r.pointingGame.allCancerImages)]],
      }],
      figures: [],
    },
  ];
  if (figures.has('training-curves.svg')) out.push({ title: 'Training', text: [], tables: [], figures: fig('training-curves.svg', 'Training curves (training-history.json)') });
  if (r.skipped.length > 0) out.push({ title: 'Skipped images', text: [], tables: [{ headers: ['file', 'reason'], rows: r.skipped.map((s) => [s.file, s.reason]) }], figures: [] });
  return out;
}

function toHtml(r: EvaluationResult, list: Section[]): string {
  return page(reportTitle(r), reportNotice(r), list.map((s) => [
    `<h2>${escapeHtml(s.title)}</h2>`,
    ...s.text.map((t) => `<p>${escapeHtml(t)}</p>`),
    ...s.tables.map((t) => table(t.headers, t.rows)),
    s.figures.length > 0 ? `<div class="figs">${s.figures.map((f) => `<figure><img src="${escapeHtml(f.file)}" alt="${escapeHtml(f.caption)}"><figcaption>${escapeHtml(f.caption)}</figcaption></figure>`).join('')}</div>` : '',
  ].join('\n')));
}

const mdCell = (v: string | number): string => String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function toMarkdown(r: EvaluationResult, list: Section[]): string {
  const lines = [`# ${reportTitle(r)}`, '', `> **${reportNotice(r)}**`, ''];
  for (const s of list) {
    lines.push(`## ${s.title}`, '');
    for (const t of s.text) lines.push(t, '');
    for (const t of s.tables) {
      lines.push(`| ${t.headers.map(mdCell).join(' | ')} |`, `|${t.headers.map(() => ' --- ').join('|')}|`, ...t.rows.map((row) => `| ${row.map(mdCell).join(' | ')} |`), '');
    }
    for (const f of s.figures) lines.push(`![${f.caption}](${f.file})`, '');
  }
  return `${lines.join('\n')}\n`;
}

/** SVG figures by file name; a figure whose data cannot be drawn (e.g. no ROC without both classes) is left out. */
async function figures(r: EvaluationResult, history: readonly EpochRecord[] | null): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const roc = async (file: string, level: EvaluationResult['imageLevel'], title: string): Promise<void> => {
    if (level.auroc.estimate !== null) out.set(file, await rocPlotSvg({ points: level.roc, auroc: level.auroc.estimate, ci: level.auroc.ci ?? undefined, title }));
  };
  await roc('roc.svg', r.imageLevel, `${r.model.modality}, image level`);
  await roc('roc-study.svg', r.studyLevel, `${r.model.modality}, study level`);
  const classLabels = r.stage.image.classes;
  if (r.stage.image.cases > 0) out.set('stage-confusion.svg', await confusionPlotSvg({ matrix: r.stage.image.confusionMatrix, classLabels, title: 'Stage, image level' }));
  if (r.stage.study.cases > 0) out.set('stage-confusion-study.svg', await confusionPlotSvg({ matrix: r.stage.study.confusionMatrix, classLabels, title: 'Stage, study level' }));
  out.set('reliability.svg', await reliabilityPlotSvg({ bins: r.calibration.bins, ece: r.calibration.ece, title: 'Image cancer probability' }));
  if (history && history.length > 0) out.set('training-curves.svg', await trainingCurvesPlotSvg({ epochs: history, metricName: 'AUROC' }));
  return out;
}

/** Writes index.html, report.md and the SVG figures into outDir (created if needed). */
export async function writeEvaluationReport(r: EvaluationResult, outDir: string, history: readonly EpochRecord[] | null): Promise<ReportFiles> {
  fs.mkdirSync(outDir, { recursive: true });
  const svgs = await figures(r, history);
  for (const [file, svg] of svgs) fs.writeFileSync(path.join(outDir, file), svg);
  const list = sections(r, new Set(svgs.keys()));
  const html = path.join(outDir, 'index.html');
  const markdown = path.join(outDir, 'report.md');
  fs.writeFileSync(html, toHtml(r, list));
  fs.writeFileSync(markdown, toMarkdown(r, list));
  return { html, markdown, figures: [...svgs.keys()].map((f) => path.join(outDir, f)) };
}
