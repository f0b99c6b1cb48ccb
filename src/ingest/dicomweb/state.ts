/**
 * What the DICOMweb poller remembers between polls and across restarts: the watermark (how far back the next QIDO
 * query must look) and which studies and series it has already handed over, with a signature (the instance count
 * the PACS reported) so that a study that grows is fetched again while an unchanged one is not; and how often each
 * study failed in a row, so that one study the PACS or the store always refuses cannot hold the watermark forever.
 */

export interface PollerState {
  getWatermark(): Date | null;
  setWatermark(d: Date): void;
  hasSeenStudy(studyInstanceUid: string, signature: string): boolean;
  markStudySeen(studyInstanceUid: string, signature: string): void;
  /**
   * Series-level memory: when a study changes only because a series was added (e.g. our own AI results written
   * back), its unchanged image series are not downloaded and handed over again.
   */
  hasSeenSeries(studyInstanceUid: string, seriesInstanceUid: string, signature: string): boolean;
  markSeriesSeen(studyInstanceUid: string, seriesInstanceUid: string, signature: string): void;
  /**
   * Counts one more failed fetch of the study and returns how many failed in a row. The count restarts after a
   * success (clearStudyFailures) and when a study that was given up is tried again because it changed.
   */
  recordStudyFailure(studyInstanceUid: string): number;
  /** After a successful fetch: forgets the failures (writes nothing when there were none). */
  clearStudyFailures(studyInstanceUid: string): void;
  /** Stops fetching the study until its signature changes. */
  markStudyGivenUp(studyInstanceUid: string, signature: string): void;
  isStudyGivenUp(studyInstanceUid: string, signature: string): boolean;
}

/** One study's failure record, stored as JSON; givenUpAt is the signature at which it was given up. */
interface StudyFailures {
  failures: number;
  givenUpAt: string | null;
}

function parseFailures(value: string | undefined): StudyFailures | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(value) as Partial<StudyFailures>;
    if (typeof parsed.failures !== 'number' || !Number.isInteger(parsed.failures) || parsed.failures < 0) return null;
    return { failures: parsed.failures, givenUpAt: typeof parsed.givenUpAt === 'string' ? parsed.givenUpAt : null };
  } catch {
    return null;
  }
}

/** The shape of the store's key-value table (a plain Map<string, string> also fits, for tests). */
export interface KeyValue {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

export interface KeyValuePollerStateOptions {
  store: KeyValue;
  /** Prefix that keeps several pollers (one per PACS) apart in one store, e.g. the PACS URL. */
  namespace: string;
}

export function createKeyValuePollerState(options: KeyValuePollerStateOptions): PollerState {
  const { store } = options;
  const key = (...parts: string[]): string => ['dicomweb-poller', options.namespace, ...parts].join('|');
  return {
    getWatermark(): Date | null {
      const value = store.get(key('watermark'));
      if (value === undefined) return null;
      const date = new Date(value);
      return Number.isNaN(date.getTime()) ? null : date;
    },
    setWatermark(d: Date): void {
      store.set(key('watermark'), d.toISOString());
    },
    hasSeenStudy: (study, signature) => store.get(key('study', study)) === signature,
    markStudySeen: (study, signature) => store.set(key('study', study), signature),
    hasSeenSeries: (study, series, signature) => store.get(key('series', study, series)) === signature,
    markSeriesSeen: (study, series, signature) => store.set(key('series', study, series), signature),
    recordStudyFailure(study: string): number {
      const previous = parseFailures(store.get(key('failures', study)));
      // A given-up study is only tried again once it changed: it gets a fresh run of attempts.
      const failures = previous && previous.givenUpAt === null ? previous.failures + 1 : 1;
      store.set(key('failures', study), JSON.stringify({ failures, givenUpAt: null } satisfies StudyFailures));
      return failures;
    },
    clearStudyFailures(study: string): void {
      // KeyValue has no delete: an empty value reads as "no record".
      if (store.get(key('failures', study))) store.set(key('failures', study), '');
    },
    markStudyGivenUp(study: string, signature: string): void {
      const failures = parseFailures(store.get(key('failures', study)))?.failures ?? 0;
      store.set(key('failures', study), JSON.stringify({ failures, givenUpAt: signature } satisfies StudyFailures));
    },
    isStudyGivenUp: (study, signature) => parseFailures(store.get(key('failures', study)))?.givenUpAt === signature,
  };
}
