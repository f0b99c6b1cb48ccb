/**
 * `gastric-ai report`: an HTML page describing a dataset in the seed layout — counts by modality, stage, sex and
 * age, image sizes, lesion sizes, and contact sheets of sample images with their label polygons drawn.
 */
import * as fs from 'fs';
import * as path from 'path';
import { encodePng } from '../../raster/png';
import { renderSvg } from '../plots/render';
import { readDataset } from '../dataset/reader';
import { MODALITY_FOLDER, SOURCE_DIR } from '../dataset/types';
import { contactSheet, sampleImages } from './contact-sheet';
import { Count, modalityStats, ModalityStats } from './dataset-stats';
import { escapeHtml, page, table } from './html';
import { MODEL_MODALITIES, Modality } from '../../domain/modality';

export interface DatasetReportOptions {
  data: string;
  out: string;
  modalities?: Modality[];
  samples: number;
  seed: number;
}

export interface DatasetReport {
  data: string;
  modalities: ModalityStats[];
  files: string[];
  /** Sample images that could not be drawn (path and reason). */
  problems: Array<{ file: string; reason: string }>;
}

async function barChart(title: string, counts: Count[]): Promise<string> {
  return renderSvg({
    title,
    width: 260,
    height: 140,
    data: { values: counts },
    mark: 'bar',
    encoding: { x: { field: 'key', type: 'nominal', sort: null, title: null }, y: { field: 'count', type: 'quantitative', title: 'count' } },
  });
}

/** Modalities whose folder exists under any patient in the source tree. */
export function presentModalities(root: string): Modality[] {
  const source = path.join(root, SOURCE_DIR);
  if (!fs.existsSync(source)) throw new Error(`${root}: no ${SOURCE_DIR} folder (is this a dataset in the seed layout? see docs/dataset-format.md)`);
  const folders = new Set(fs.readdirSync(source).flatMap((p) => (fs.statSync(path.join(source, p)).isDirectory() ? fs.readdirSync(path.join(source, p)) : [])).map((f) => f.normalize('NFC')));
  return MODEL_MODALITIES.filter((m) => folders.has(MODALITY_FOLDER[m]));
}

export async function writeDatasetReport(options: DatasetReportOptions): Promise<DatasetReport> {
  fs.mkdirSync(options.out, { recursive: true });
  const modalities = options.modalities ?? presentModalities(options.data);
  const report: DatasetReport = { data: options.data, modalities: [], files: [], problems: [] };
  const sections: string[] = [];
  for (const modality of modalities) {
    const index = await readDataset(options.data, { modality });
    const stats = modalityStats(index);
    report.modalities.push(stats);
    const { sheet, tiles } = await contactSheet(index, sampleImages(index, options.samples, options.seed));
    const sheetName = `contact-${modality.toLowerCase()}.png`;
    fs.writeFileSync(path.join(options.out, sheetName), encodePng(sheet));
    report.files.push(sheetName);
    for (const t of tiles) if (t.error) report.problems.push({ file: t.image.dicomPath, reason: t.error });
    const charts = await Promise.all([barChart('Patients by stage', stats.byStage), barChart('Patients by age', stats.byAgeDecade), barChart('Lesion area / image', stats.lesionAreaShare)]);
    const chartFiles = charts.map((svg, i) => {
      const name = `${modality.toLowerCase()}-chart-${i + 1}.svg`;
      fs.writeFileSync(path.join(options.out, name), svg);
      return name;
    });
    report.files.push(...chartFiles);
    sections.push(`<h2>${escapeHtml(`${MODALITY_FOLDER[modality]} (${modality})`)}</h2>
${table(['', 'count'], [['patients', stats.patients], ['images', stats.images], ['images with cancer', stats.cancerImages], ['normal images', stats.normalImages], ['images per patient (min / median / max)', `${stats.imagesPerPatient.min} / ${stats.imagesPerPatient.median} / ${stats.imagesPerPatient.max}`]])}
${table(['stage', 'patients'], stats.byStage.map((c) => [c.key, c.count]))}
${table(['sex', 'patients'], stats.bySex.map((c) => [c.key, c.count]))}
${table(['image size', 'images'], stats.imageSizes.map((c) => [c.key, c.count]))}
<div class="figs">${chartFiles.map((f) => `<img src="${f}" alt="${escapeHtml(f)}">`).join('')}</div>
<figure><img src="${sheetName}" alt="sample ${modality} images"><figcaption>${tiles.length} sample images (cancer first); label polygons in yellow.</figcaption></figure>`);
  }
  const html = page(`Dataset report: ${path.basename(path.resolve(options.data))}`, 'Dataset report for model development (images may be synthetic) — not for clinical use.', sections);
  fs.writeFileSync(path.join(options.out, 'index.html'), html);
  fs.writeFileSync(path.join(options.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  report.files.push('index.html', 'report.json');
  return report;
}
