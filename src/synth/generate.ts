/**
 * `gastric-ai synth`: writes synthetic gastric studies in the seed collection's layout:
 *   DIR/원천데이터/<person_id>/{ENDO,CT,PET}/<person_id>_<study>_<seq>.dcm   (source data)
 *   DIR/라벨링데이터/<person_id>/{ENDO,CT,PET}/<person_id>_<study>_<seq>.json (labels)
 * Same options and seed, same bytes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { writePart10 } from '../dicom/io';
import { deterministicUid } from '../dicom/uid';
import { renderCtSeries } from './ct';
import { ctDataset } from './ct-dicom';
import { StudyContext, studyContext, studyStart } from './dicom-common';
import { renderEndoscopyImage } from './endoscopy';
import { EncodedObject, endoscopyDataset } from './endoscopy-dicom';
import { LABEL_DIR, MODALITY_FOLDER, SOURCE_DIR } from './dataset-layout';
import { PHASE_ID, seedLabel } from './labels';
import { renderPetSeries } from './pet';
import { petDataset } from './pet-dicom';
import { planEndoscopyFrames, planPatients } from './plan';
import { StudySummary, SynthSummary } from './summary';
import { createRng, Rng } from './rng';
import { PatientPlan, Polygon } from './types';
import type { Modality } from '../domain/modality';

/** Study number in file names: fixed per modality so names do not depend on which modalities were asked for. */
const STUDY_INDEX: Record<Modality, number> = { ES: 1, CT: 2, PT: 3 };

export interface SynthOptions {
  out: string;
  patients: number;
  seed: number;
  modalities: Modality[];
  jpeg: boolean;
  normalFraction: number;
  endoscopyImages: number;
  ctSlices: number;
  petSlices: number;
}

export const DEFAULT_SYNTH_OPTIONS: Omit<SynthOptions, 'out'> = {
  patients: 4,
  seed: 1,
  modalities: ['ES', 'CT', 'PT'],
  jpeg: false,
  normalFraction: 0.2,
  endoscopyImages: 8,
  ctSlices: 16,
  petSlices: 16,
};

interface RenderedImage {
  encoded: EncodedObject;
  width: number;
  height: number;
  polygons: Polygon[];
  benign: 'polyp' | 'erosion' | null;
}

function renderStudy(rng: Rng, ctx: StudyContext, options: SynthOptions): RenderedImage[] {
  const { patient } = ctx;
  const uid = (i: number): string => deterministicUid('synth-instance', ctx.seriesInstanceUid, i);
  switch (ctx.modality) {
    case 'ES':
      return planEndoscopyFrames(rng.fork('frames'), patient, options.endoscopyImages).map((frame, i) => {
        const image = renderEndoscopyImage(rng.fork(`frame-${i}`), frame);
        return { encoded: endoscopyDataset(ctx, image, i + 1, uid(i), options.jpeg), width: image.width, height: image.height, polygons: image.cancerPolygons, benign: image.benignFinding };
      });
    case 'CT': {
      const series = renderCtSeries(rng.fork('ct'), { stage: patient.stage, sliceCount: options.ctSlices });
      return series.slices.map((s, i) => ({ encoded: ctDataset(ctx, series, i, uid(i)), width: series.columns, height: series.rows, polygons: s.cancerPolygons, benign: null }));
    }
    case 'PT': {
      const series = renderPetSeries(rng.fork('pet'), { stage: patient.stage, sex: patient.sex, sliceCount: options.petSlices });
      return series.slices.map((s, i) => ({ encoded: petDataset(ctx, series, i, uid(i)), width: series.columns, height: series.rows, polygons: s.cancerPolygons, benign: null }));
    }
  }
}

function writeStudy(options: SynthOptions, ctx: StudyContext, images: RenderedImage[]): StudySummary {
  const { patient, modality } = ctx;
  const folder = MODALITY_FOLDER[modality];
  const sourceDir = path.join(options.out, SOURCE_DIR, patient.personId, folder);
  const labelDir = path.join(options.out, LABEL_DIR, patient.personId, folder);
  fs.mkdirSync(sourceDir, { recursive: true });
  fs.mkdirSync(labelDir, { recursive: true });
  const study = String(ctx.studyIndex).padStart(2, '0');
  images.forEach((img, i) => {
    const stem = `${patient.personId}_${study}_${String(i + 1).padStart(4, '0')}`;
    fs.writeFileSync(path.join(sourceDir, `${stem}.dcm`), writePart10(img.encoded.dataset, img.encoded.transferSyntaxUid));
    const label = seedLabel(
      { person_id: patient.personId, sex: patient.sex, image_name: `${stem}.dcm`, image_type: 'DICOM', image_seq: i + 1, image_count: images.length, width: img.width, height: img.height, phase_id: PHASE_ID[modality] },
      img.polygons,
      {
        age: patient.age,
        stage: patient.stage,
        pathology: patient.stage === null ? 'normal' : 'adenocarcinoma',
        modality,
        benign_finding: img.benign,
        study_instance_uid: ctx.studyInstanceUid,
        series_instance_uid: ctx.seriesInstanceUid,
        sop_instance_uid: img.encoded.dataset.SOPInstanceUID as string,
      },
    );
    fs.writeFileSync(path.join(labelDir, `${stem}.json`), `${JSON.stringify(label, null, 2)}\n`);
  });
  return {
    modality,
    studyInstanceUid: ctx.studyInstanceUid,
    images: images.length,
    cancerImages: images.filter((img) => img.polygons.length > 0).length,
    folder: path.relative(options.out, sourceDir),
  };
}

export function generateSynthetic(options: SynthOptions, onStudy: (s: StudySummary, p: PatientPlan) => void = () => undefined): SynthSummary {
  const rng = createRng(options.seed);
  const patients = planPatients(rng.fork('patients'), { seed: options.seed, patients: options.patients, normalFraction: options.normalFraction });
  const summary: SynthSummary = { seed: options.seed, synthetic: true, notice: 'not for clinical use', patients: [] };
  for (const patient of patients) {
    const prng = rng.fork(`patient-${patient.personId}`);
    const day = prng.int(0, 700);
    const studies: StudySummary[] = [];
    for (const modality of options.modalities) {
      const index = STUDY_INDEX[modality];
      const ctx = studyContext(options.seed, patient, modality, index, studyStart(day, index * 95 + prng.int(0, 40)));
      const result = writeStudy(options, ctx, renderStudy(prng.fork(`study-${modality}`), ctx, options));
      studies.push(result);
      onStudy(result, patient);
    }
    summary.patients.push({ ...patient, studies });
  }
  fs.writeFileSync(path.join(options.out, 'synthetic-manifest.json'), `${JSON.stringify({ options: { ...options, out: undefined }, ...summary }, null, 2)}\n`);
  return summary;
}
