/**
 * The few attributes the poller reads from QIDO-RS answers (DICOM JSON model, PS3.18 F.2), turned into plain
 * summaries. Servers differ in what they return by default, so every field but the UID is optional.
 */

/** One QIDO-RS result object: attribute tag (e.g. '0020000D') → { vr, Value }. */
export type DicomJsonObject = Record<string, { vr?: string; Value?: unknown[] } | undefined>;

export const Tag = {
  StudyInstanceUID: '0020000D',
  StudyDate: '00080020',
  ModalitiesInStudy: '00080061',
  NumberOfStudyRelatedInstances: '00201208',
  SeriesInstanceUID: '0020000E',
  Modality: '00080060',
  SeriesDescription: '0008103E',
  NumberOfSeriesRelatedInstances: '00201209',
  SOPInstanceUID: '00080018',
} as const;

export interface StudySummary {
  studyInstanceUid: string;
  studyDate: string | null;
  /** null when the server did not say (then the series decide). */
  modalitiesInStudy: string[] | null;
  /** NumberOfStudyRelatedInstances; null when the server did not say. */
  instanceCount: number | null;
}

export interface SeriesSummary {
  seriesInstanceUid: string;
  modality: string;
  seriesDescription: string;
  instanceCount: number | null;
}

function values(obj: DicomJsonObject, tag: string): unknown[] {
  return obj[tag]?.Value ?? [];
}

function firstString(obj: DicomJsonObject, tag: string): string | null {
  const v = values(obj, tag)[0];
  return typeof v === 'string' ? v.trim() : null;
}

/** IS values are JSON numbers, but PS3.18 F.2.3.1 lets servers send them as strings too. */
function firstInteger(obj: DicomJsonObject, tag: string): number | null {
  const v = values(obj, tag)[0];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : null;
}

function requiredUid(obj: DicomJsonObject, tag: string, what: string): string {
  const uid = firstString(obj, tag);
  if (!uid) throw new Error(`QIDO-RS result without ${what}`);
  return uid;
}

export function studySummary(obj: DicomJsonObject): StudySummary {
  const modalities = values(obj, Tag.ModalitiesInStudy).filter((m): m is string => typeof m === 'string');
  return {
    studyInstanceUid: requiredUid(obj, Tag.StudyInstanceUID, 'StudyInstanceUID'),
    studyDate: firstString(obj, Tag.StudyDate),
    modalitiesInStudy: obj[Tag.ModalitiesInStudy] ? modalities.map((m) => m.trim()) : null,
    instanceCount: firstInteger(obj, Tag.NumberOfStudyRelatedInstances),
  };
}

export function seriesSummary(obj: DicomJsonObject): SeriesSummary {
  return {
    seriesInstanceUid: requiredUid(obj, Tag.SeriesInstanceUID, 'SeriesInstanceUID'),
    modality: firstString(obj, Tag.Modality) ?? '',
    seriesDescription: firstString(obj, Tag.SeriesDescription) ?? '',
    instanceCount: firstInteger(obj, Tag.NumberOfSeriesRelatedInstances),
  };
}

export function sopInstanceUidOf(obj: DicomJsonObject): string {
  return requiredUid(obj, Tag.SOPInstanceUID, 'SOPInstanceUID');
}

/**
 * The StudyDate range for a poll: an open range "YYYYMMDD-" (PS3.4 C.2.2.2.5) from the earlier of
 *  - the local date of (watermark − overlap), which absorbs clock skew, and
 *  - the calendar day before the watermark's local date, always.
 * The second bound catches studies archived late: a study performed at 23:50 on day D and stored in the PACS at 00:20
 * on D+1 carries StudyDate D, so a poll whose watermark is on D+1 must still ask for D. One whole calendar day is
 * counted by date, not as 24 h, so that a 25-hour day (end of daylight saving time) does not shorten it. Studies
 * stored more than a day after their StudyDate are not seen (the price of a StudyDate watermark; QIDO-RS has no
 * "stored since" key). DA has no time zone and PACSs record the local acquisition date, so the local date of the node
 * is used (the node is expected to run in the PACS's time zone). StudyTime is not sent: matching date and time
 * separately would drop later days with an earlier time, and combined date-time matching is optional and unsupported
 * by Orthanc. Studies of the first days are therefore queried again every poll; the seen-study signatures make that
 * a QIDO-RS answer only, never a second download.
 */
export function studyDateRange(watermark: Date, overlapMinutes: number): string {
  const skewed = new Date(watermark.getTime() - overlapMinutes * 60_000);
  const dayBefore = new Date(watermark.getFullYear(), watermark.getMonth(), watermark.getDate() - 1);
  const from = skewed < dayBefore ? skewed : dayBefore;
  const pad = (n: number, width: number): string => String(n).padStart(width, '0');
  return `${pad(from.getFullYear(), 4)}${pad(from.getMonth() + 1, 2)}${pad(from.getDate(), 2)}-`;
}
