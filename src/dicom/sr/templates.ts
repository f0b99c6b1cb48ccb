/**
 * SR templates (PS3.16) as functions that compose typed content items: TID 4019 algorithm identification,
 * TID 1001/1004 device observer context, TID 1600 image library, TID 1501 measurement group, the TID 1500
 * qualitative evaluations and the TID 1500 Imaging Measurement Report itself.
 */
import { Code, CODES } from '../codes';
import { finding as findingItem, findingSite as findingSiteItem, languageOfContent, procedureReported, sourceImage, trackingIdentifier, trackingUid } from './content';
import { CodeItem, ContainerItem, ContentItem, ImageItem, NumItem, RelationshipType, SopReference, TextItem, UidRefItem } from './value-types';

export interface AlgorithmIdentification {
  name: string;
  version: string;
  parameters?: string[];
}

/** TID 4019: algorithm name and version (and parameters), as TEXT items with the given relationship. */
export function algorithmIdentification(algorithm: AlgorithmIdentification, relationship: RelationshipType = 'HAS CONCEPT MOD'): TextItem[] {
  return [
    new TextItem({ relationship, name: CODES.algorithmName, value: algorithm.name }),
    new TextItem({ relationship, name: CODES.algorithmVersion, value: algorithm.version }),
    ...(algorithm.parameters ?? []).map((p) => new TextItem({ relationship, name: CODES.algorithmParameters, value: p })),
  ];
}

export interface DeviceObserver {
  uid: string;
  name?: string;
  manufacturer?: string;
  modelName?: string;
}

/** TID 1001 observation context with observer type Device and its TID 1004 identification. */
export function deviceObserverContext(device: DeviceObserver): ContentItem[] {
  const ctx = 'HAS OBS CONTEXT' as const;
  const text = (name: Code, value: string | undefined): TextItem[] => (value ? [new TextItem({ relationship: ctx, name, value })] : []);
  return [
    new CodeItem({ relationship: ctx, name: CODES.observerType, value: CODES.device }),
    new UidRefItem({ relationship: ctx, name: CODES.deviceObserverUid, value: device.uid }),
    ...text(CODES.deviceObserverName, device.name),
    ...text(CODES.deviceObserverManufacturer, device.manufacturer),
    ...text(CODES.deviceObserverModelName, device.modelName),
  ];
}

export interface LibraryImage extends SopReference {
  seriesInstanceUid: string;
  frame?: number;
}

/** TID 1600 image library: one Image Library Group (TID 1601) per source series. */
export function imageLibrary(images: LibraryImage[]): ContainerItem {
  const bySeries = new Map<string, LibraryImage[]>();
  for (const image of images) bySeries.set(image.seriesInstanceUid, [...(bySeries.get(image.seriesInstanceUid) ?? []), image]);
  const groups = [...bySeries.values()].map(
    (entries) =>
      new ContainerItem({
        relationship: 'CONTAINS',
        name: CODES.imageLibraryGroup,
        children: entries.map((e) => sourceImage({ reference: e, relationship: 'CONTAINS', ...(e.frame ? { frame: e.frame } : {}) })),
      }),
  );
  return new ContainerItem({ relationship: 'CONTAINS', name: CODES.imageLibrary, children: groups });
}

export interface MeasurementGroupOptions {
  trackingIdentifier: string;
  trackingUid: string;
  finding: Code;
  findingSite?: Code;
  algorithm?: AlgorithmIdentification;
  /** TID 300 measurements; OHIF reads the region from the first INFERRED FROM child of each NUM. */
  measurements?: NumItem[];
  /** Coded qualitative evaluations of this finding (e.g. stage). */
  evaluations?: CodeItem[];
  /** TID 1501 row 10b: images or segments the group refers to (CONTAINS IMAGE). */
  references?: ImageItem[];
}

/** TID 1501 Measurement and Qualitative Evaluation Group. */
export function measurementGroup(options: MeasurementGroupOptions): ContainerItem {
  const children: ContentItem[] = [
    trackingIdentifier(options.trackingIdentifier),
    trackingUid(options.trackingUid),
    findingItem(options.finding),
    ...(options.algorithm ? algorithmIdentification(options.algorithm) : []),
    ...(options.findingSite ? [findingSiteItem(options.findingSite)] : []),
    ...(options.measurements ?? []),
    ...(options.evaluations ?? []),
  ];
  for (const ref of options.references ?? []) {
    if (ref.relationship !== 'CONTAINS') throw new Error('measurementGroup: references are CONTAINS IMAGE items (TID 1501 row 10b)');
    children.push(ref);
  }
  for (const m of options.measurements ?? []) if (m.relationship !== 'CONTAINS') throw new Error('measurementGroup: measurements are CONTAINS NUM');
  for (const e of options.evaluations ?? []) if (e.relationship !== 'CONTAINS') throw new Error('measurementGroup: evaluations are CONTAINS CODE');
  return new ContainerItem({ relationship: 'CONTAINS', name: CODES.measurementGroup, templateId: '1501', children });
}

/** TID 1500 row 12: report-level qualitative evaluations (coded, row 13, or text, row 14). */
export function qualitativeEvaluations(items: Array<CodeItem | TextItem>): ContainerItem {
  if (items.length === 0) throw new Error('qualitativeEvaluations: at least one evaluation');
  for (const item of items) if (item.relationship !== 'CONTAINS') throw new Error('qualitativeEvaluations: items are CONTAINS');
  return new ContainerItem({ relationship: 'CONTAINS', name: CODES.qualitativeEvaluations, children: items });
}

export interface MeasurementReportOptions {
  observer: DeviceObserver;
  procedure?: Code;
  language?: Code;
  images: LibraryImage[];
  groups: ContainerItem[];
  evaluations?: ContainerItem;
}

/** TID 1500 Imaging Measurement Report: the document root. */
export function measurementReport(options: MeasurementReportOptions): ContainerItem {
  for (const g of options.groups) if (!CODES.measurementGroup.equals(g.name)) throw new Error('measurementReport: groups must be TID 1501 measurement groups');
  const children: ContentItem[] = [
    languageOfContent(options.language),
    ...deviceObserverContext(options.observer),
    procedureReported(options.procedure),
    imageLibrary(options.images),
  ];
  // TID 1500 rows 6 and 12: Imaging Measurements is present when there are groups; a report without findings says
  // so in its qualitative evaluations instead of holding an empty group (OHIF breaks on a group without SCOORD).
  if (options.groups.length) children.push(new ContainerItem({ relationship: 'CONTAINS', name: CODES.imagingMeasurements, children: options.groups }));
  if (options.evaluations) children.push(options.evaluations);
  return new ContainerItem({ name: CODES.imagingMeasurementReport, templateId: '1500', children });
}
