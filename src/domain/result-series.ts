/**
 * The node's own result series (SR, SEG, SC) are recognised by their SeriesDescription, which starts with "AI " (the
 * Orthanc forwarder also accepts "AI:"). Ingest, routing and analysis all skip them so results never loop back.
 */
export const isResultSeries = (seriesDescription: string): boolean => /^AI[ :]/.test(seriesDescription);
