/**
 * What the DICOMweb poller remembers between polls and across restarts: the watermark (how far back the next QIDO
 * query must look) and which studies and series it has already handed over, with a signature (the instance count
 * the PACS reported) so that a study that grows is fetched again while an unchanged one is not.
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
  };
}
