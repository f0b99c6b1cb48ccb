/**
 * The optional clinical table at the dataset root, `clinical.csv`: where stage, pathology and age come from for the
 * real collection, whose labels carry none of them (synthetic labels carry them in `gastric_ai_extension`).
 *
 *   person_id,stage,pathology,age
 *   GC-0001,IV,adenocarcinoma,67
 *   GC-0002,,normal,54
 *
 * - UTF-8 (a byte order mark is ignored), a header row naming the four columns in any order; other columns are ignored.
 * - Fields may be double-quoted ("adenocarcinoma, poorly differentiated"); "" inside quotes is a quote.
 * - stage: I, II, III or IV; a sub-stage letter (IA, IIIB) counts as its group; empty means a control without cancer.
 * - pathology: free text, empty for unknown. age: whole years, empty for unknown.
 * - One row per person_id (compared after Unicode NFC normalisation).
 */
import * as fs from 'fs';
import type { Stage } from './types';

export interface ClinicalRecord {
  personId: string;
  stage: Stage | null;
  pathology: string | null;
  age: number | null;
}

export class ClinicalTableError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid clinical table\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ClinicalTableError';
  }
}

const COLUMNS = ['person_id', 'stage', 'pathology', 'age'] as const;

/** Splits CSV text into rows of fields (RFC 4180 quoting; CRLF or LF). */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  const endRow = (): void => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n') endRow();
    else if (ch === '\r') {
      if (text[i + 1] === '\n') i++;
      endRow();
    } else field += ch;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows.filter((r) => !(r.length === 1 && r[0].trim() === ''));
}

function parseStage(raw: string): Stage | null | undefined {
  if (raw === '') return null;
  const m = /^(IV|III|II|I)[ABC]?$/i.exec(raw);
  return m ? (m[1].toUpperCase() as Stage) : undefined;
}

export function parseClinicalTable(file: string, text: string): Map<string, ClinicalRecord> {
  const [header = [], ...rows] = parseCsvRows(text.replace(/^\uFEFF/, ''));
  const names = header.map((h) => h.trim().toLowerCase());
  const missing = COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) throw new ClinicalTableError(file, [`line 1: missing column(s) ${missing.join(', ')}`]);
  const col = Object.fromEntries(COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<(typeof COLUMNS)[number], number>;
  const problems: string[] = [];
  const records = new Map<string, ClinicalRecord>();
  const seen = new Set<string>();
  rows.forEach((cells, i) => {
    const line = `line ${i + 2}`;
    const cell = (c: (typeof COLUMNS)[number]): string => (cells[col[c]] ?? '').trim();
    const personId = cell('person_id').normalize('NFC');
    const stage = parseStage(cell('stage'));
    const ageText = cell('age');
    const age = ageText === '' ? null : Number(ageText);
    if (personId === '') problems.push(`${line} person_id: empty`);
    else if (seen.has(personId)) problems.push(`${line} person_id: ${personId} appears twice`);
    seen.add(personId);
    if (stage === undefined) problems.push(`${line} stage: "${cell('stage')}" is not I, II, III, IV or empty`);
    if (age !== null && !(Number.isInteger(age) && age >= 0 && age <= 130)) problems.push(`${line} age: "${ageText}" is not whole years`);
    if (personId !== '' && stage !== undefined) records.set(personId, { personId, stage, pathology: cell('pathology') || null, age });
  });
  if (problems.length > 0) throw new ClinicalTableError(file, problems);
  return records;
}

/** The table at `file`, or null when the dataset has none. */
export async function readClinicalTable(file: string): Promise<Map<string, ClinicalRecord> | null> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  return parseClinicalTable(file, text);
}
