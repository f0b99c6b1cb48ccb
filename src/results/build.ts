/**
 * A study's result objects in the order they are stored: the SR (TID 1500), its SEG objects, then the Secondary
 * Capture overlays (when configured). The CLI (`analyze --out`) and the node's analyze job both go through here,
 * so what an operator tries by hand is what the node sends.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Dataset, writePart10 } from '../dicom/io';
import { TransferSyntax } from '../dicom/uids';
import { ResultInput, ResultKind } from './common';
import { buildOverlays } from './sc';
import { buildSegmentations } from './seg';
import { buildReport } from './sr';
import { textOf } from '../dicom/attributes';

export interface ResultObject {
  kind: ResultKind;
  dataset: Dataset;
  sopClassUid: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
}

export interface ResultOptions {
  /** Add the SC overlays, for viewers that show neither SEG nor SR. */
  secondaryCapture: boolean;
}

function resultObject(kind: ResultKind, dataset: Dataset): ResultObject {
  const object = { kind, dataset, sopClassUid: textOf(dataset.SOPClassUID), sopInstanceUid: textOf(dataset.SOPInstanceUID), seriesInstanceUid: textOf(dataset.SeriesInstanceUID) };
  if (!object.sopClassUid || !object.sopInstanceUid || !object.seriesInstanceUid) throw new Error(`${kind} builder returned a dataset without SOP Class, SOP Instance or Series Instance UID`);
  return object;
}

export async function buildResultObjects(input: ResultInput, options: ResultOptions): Promise<ResultObject[]> {
  const objects = [resultObject('SR', buildReport(input)), ...buildSegmentations(input).map((d) => resultObject('SEG', d))];
  if (options.secondaryCapture) objects.push(...(await buildOverlays(input)).map((d) => resultObject('SC', d)));
  return objects;
}

/** sr.dcm, seg-0.dcm, seg-1.dcm…, sc-0.dcm…: the name says the kind, the index keeps the build order. */
export function resultFileName(kind: ResultKind, index: number): string {
  return kind === 'SR' && index === 0 ? 'sr.dcm' : `${kind.toLowerCase()}-${index}.dcm`;
}

/**
 * Writes each object as a Part 10 file in Explicit VR Little Endian (the SEG's bit-packed frames and the SC's pixels
 * are native; every PACS accepts this syntax, PS3.5 A.2); returns the paths in the order of `objects`. Each file is
 * written to a temporary name and renamed, so a reader never sees half an object.
 */
export function writeResultObjects(objects: readonly ResultObject[], dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const counts: Partial<Record<ResultKind, number>> = {};
  return objects.map((object) => {
    const index = counts[object.kind] ?? 0;
    counts[object.kind] = index + 1;
    const file = path.join(dir, resultFileName(object.kind, index));
    fs.writeFileSync(`${file}.partial`, writePart10(object.dataset, TransferSyntax.ExplicitVRLittleEndian));
    fs.renameSync(`${file}.partial`, file);
    return file;
  });
}
