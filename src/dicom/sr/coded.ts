/** Code Sequence Macro items (PS3.3 Table 8.8-1) to and from Code values. */
import { Code } from '../codes';
import { Dataset } from '../io';

export function codeToItem(code: Code): Dataset {
  // Code values longer than 16 characters go in Long Code Value (PS3.3 8.1.1).
  const out: Dataset = code.value.length <= 16 ? { CodeValue: code.value } : { LongCodeValue: code.value };
  out.CodingSchemeDesignator = code.scheme;
  if (code.schemeVersion) out.CodingSchemeVersion = code.schemeVersion;
  out.CodeMeaning = code.meaning;
  return out;
}

const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);

/** The first item of a code sequence as a Code, or null when absent or malformed. */
export function codeFromSequence(sequence: unknown): Code | null {
  const item = first(sequence) as Dataset | undefined;
  if (!item || typeof item !== 'object') return null;
  const value = String(item.CodeValue ?? item.LongCodeValue ?? item.URNCodeValue ?? '');
  const scheme = String(item.CodingSchemeDesignator ?? (item.URNCodeValue ? 'URN' : ''));
  const meaning = String(item.CodeMeaning ?? '');
  if (!value || !scheme || !meaning) return null;
  const version = item.CodingSchemeVersion ? String(item.CodingSchemeVersion) : undefined;
  return new Code({ value, scheme, meaning, ...(version ? { schemeVersion: version } : {}) });
}
