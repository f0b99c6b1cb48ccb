/**
 * The one typed reader of naturalized dataset values. DICOM pads values to an even length with a trailing space (or a
 * NUL for UI), and leading/trailing spaces of CS, LO, SH, DS and IS values are not significant (PS3.5 6.2): every
 * value read here is trimmed of both, so `MONOCHROME2 ` and `START\0` compare as written.
 */
import type { Dataset } from './io';

/** A value's first element as trimmed text ('' when absent, null or not text-like). PN gives its alphabetic group. */
export function textOf(value: unknown): string {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return '';
  if (typeof first === 'string') return trimPadding(first);
  if (typeof first === 'number') return String(first);
  if (typeof first === 'object' && typeof (first as { Alphabetic?: unknown }).Alphabetic === 'string') return trimPadding((first as { Alphabetic: string }).Alphabetic);
  return '';
}

/** A data element's first value as trimmed text. */
export function text(dataset: Dataset, keyword: string): string {
  return textOf(dataset[keyword]);
}

/** A data element's first value as a finite number (dcmjs gives numbers, numeric strings or one-element arrays). */
export function numberValue(dataset: Dataset, keyword: string): number | undefined {
  const raw = dataset[keyword];
  const first = Array.isArray(raw) ? raw[0] : raw;
  const n = typeof first === 'number' ? first : typeof first === 'string' && first.trim() !== '' ? Number(first) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Leading spaces and trailing spaces/NULs removed (PS3.5 6.2 padding). */
export function trimPadding(value: string): string {
  return value.replace(/[\0 ]+$/, '').replace(/^ +/, '');
}
