/**
 * Reads a Segmentation (ours or another tool's) back into segments and unpacked frames: the reader that every SEG
 * builder needs for round-trip tests, and what a consumer needs to draw the masks.
 */
import { Dataset } from '../io';
import { unpackBits } from './bits';
import { CodeItem } from './codes';
import { SegmentationBuildError } from './segment';
import { textOf } from '../attributes';

export interface ReadSegment {
  number: number;
  label: string;
  category: CodeItem | null;
  type: CodeItem | null;
  algorithmType: string;
  algorithmName: string | null;
}

export interface ReadSegmentationFrame {
  segmentNumber: number;
  referencedSopInstanceUid: string | null;
  /** BINARY: 0/1 per pixel. FRACTIONAL: the stored value 0..MaximumFractionalValue. */
  mask: Uint8Array;
}

export interface ReadSegmentation {
  segments: ReadSegment[];
  frames: ReadSegmentationFrame[];
  rows: number;
  columns: number;
  type: 'BINARY' | 'FRACTIONAL' | 'LABELMAP';
}

/** dcmjs naturalizes sequences as arrays, but a hand-built or re-read dataset may hold one item as an object. */
const items = (v: unknown): Dataset[] => (Array.isArray(v) ? (v as Dataset[]) : v && typeof v === 'object' ? [v as Dataset] : []);
const first = <T>(v: T | T[] | undefined): T | undefined => (Array.isArray(v) ? v[0] : v);
const num = (v: unknown): number => Number(first(v as number | number[]));

function codeOf(seq: unknown): CodeItem | null {
  const item = items(seq)[0];
  if (!item) return null;
  return { CodeValue: textOf(item.CodeValue), CodingSchemeDesignator: textOf(item.CodingSchemeDesignator), CodeMeaning: textOf(item.CodeMeaning) };
}

function pixelBytes(ds: Dataset): Uint8Array {
  const parts = items(ds.PixelData).length ? (ds.PixelData as unknown[]) : [];
  const views = parts.map((p) => (p instanceof ArrayBuffer ? new Uint8Array(p) : ArrayBuffer.isView(p) ? new Uint8Array(p.buffer, p.byteOffset, p.byteLength) : new Uint8Array(0)));
  const out = new Uint8Array(views.reduce((n, v) => n + v.length, 0));
  let at = 0;
  for (const v of views) {
    out.set(v, at);
    at += v.length;
  }
  return out;
}

/** A functional group macro from the frame's item, else from the shared item (PS3.3 C.7.6.16). */
function group(perFrame: Dataset | undefined, shared: Dataset | undefined, key: string): Dataset | undefined {
  return items(perFrame?.[key])[0] ?? items(shared?.[key])[0];
}

export function readSegmentation(ds: Dataset): ReadSegmentation {
  const type = textOf(ds.SegmentationType) as ReadSegmentation['type'];
  if (!['BINARY', 'FRACTIONAL', 'LABELMAP'].includes(type)) throw new SegmentationBuildError(`not a segmentation: SegmentationType is "${type}"`);
  const rows = num(ds.Rows);
  const columns = num(ds.Columns);
  const frameCount = ds.NumberOfFrames === undefined ? 1 : num(ds.NumberOfFrames);
  const bitsAllocated = num(ds.BitsAllocated);
  const pixels = rows * columns;
  const data = pixelBytes(ds);
  const shared = items(ds.SharedFunctionalGroupsSequence)[0];
  const perFrame = items(ds.PerFrameFunctionalGroupsSequence);

  const segments: ReadSegment[] = items(ds.SegmentSequence).map((s) => ({
    number: num(s.SegmentNumber),
    label: textOf(s.SegmentLabel),
    category: codeOf(s.SegmentedPropertyCategoryCodeSequence),
    type: codeOf(s.SegmentedPropertyTypeCodeSequence),
    algorithmType: textOf(s.SegmentAlgorithmType),
    algorithmName: s.SegmentAlgorithmName === undefined ? null : textOf(s.SegmentAlgorithmName),
  }));

  const frames: ReadSegmentationFrame[] = [];
  for (let i = 0; i < frameCount; i++) {
    const fg = perFrame[i];
    const segmentNumber = num(group(fg, shared, 'SegmentIdentificationSequence')?.ReferencedSegmentNumber);
    const derivation = group(fg, shared, 'DerivationImageSequence');
    const source = items(derivation?.SourceImageSequence)[0];
    let mask: Uint8Array;
    if (bitsAllocated === 1) mask = unpackBits(data, i, pixels);
    else {
      if (data.length < (i + 1) * pixels) throw new SegmentationBuildError(`frame ${i + 1} lies beyond the ${data.length} bytes of pixel data`);
      mask = data.slice(i * pixels, (i + 1) * pixels);
    }
    frames.push({ segmentNumber, referencedSopInstanceUid: source ? textOf(source.ReferencedSOPInstanceUID) : null, mask });
  }
  return { segments, frames, rows, columns, type };
}
