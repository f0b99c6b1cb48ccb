/**
 * Reads any SR content tree into the typed items of value-types.ts (the reader half of every builder), and
 * summarises a TID 1500 report: its findings (finding, site, probability, stage, region + image, segment) and its
 * report-level qualitative evaluations. Value types we never write come back as OtherItem.
 */
import { Code, CODES, STAGE_CONCEPT } from '../codes';
import { Dataset } from '../io';
import { codeFromSequence } from './coded';
import {
  CodeItem,
  CompositeItem,
  ContainerItem,
  ContentItem,
  GraphicType,
  ImageItem,
  ItemOptions,
  NumItem,
  OtherItem,
  RelationshipType,
  ScoordItem,
  TextItem,
  UidRefItem,
} from './value-types';
import { textOf } from '../attributes';

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null || v === '' ? [] : [v]);
const items = (v: unknown): Dataset[] => list(v).filter((x): x is Dataset => typeof x === 'object' && x !== null);

function reference(item: Dataset): { sopClassUid: string; sopInstanceUid: string; frames: number[]; segments: number[] } {
  const ref = items(item.ReferencedSOPSequence)[0] ?? {};
  return {
    sopClassUid: textOf(ref.ReferencedSOPClassUID),
    sopInstanceUid: textOf(ref.ReferencedSOPInstanceUID),
    frames: list(ref.ReferencedFrameNumber).map(Number),
    segments: list(ref.ReferencedSegmentNumber).map(Number),
  };
}

/** One content item (and its subtree) from its dataset. */
export function readContentItem(item: Dataset): ContentItem {
  const relationship = item.RelationshipType ? (textOf(item.RelationshipType) as RelationshipType) : undefined;
  const name = codeFromSequence(item.ConceptNameCodeSequence) ?? undefined;
  const children = items(item.ContentSequence).map(readContentItem);
  const base: ItemOptions = { ...(relationship ? { relationship } : {}), ...(name ? { name } : {}), children };
  const valueType = textOf(item.ValueType);
  switch (valueType) {
    case 'CONTAINER': {
      const template = items(item.ContentTemplateSequence)[0];
      return new ContainerItem({
        ...base,
        name: name ?? new Code({ value: 'UNNAMED', scheme: '99READ', meaning: 'Unnamed container' }),
        continuity: textOf(item.ContinuityOfContent) === 'CONTINUOUS' ? 'CONTINUOUS' : 'SEPARATE',
        ...(template?.TemplateIdentifier ? { templateId: textOf(template.TemplateIdentifier) } : {}),
      });
    }
    case 'CODE': {
      const value = codeFromSequence(item.ConceptCodeSequence);
      if (name && value) return new CodeItem({ ...base, name, value });
      break;
    }
    case 'TEXT':
      if (name && textOf(item.TextValue)) return new TextItem({ ...base, name, value: textOf(item.TextValue) });
      break;
    case 'NUM': {
      const measured = items(item.MeasuredValueSequence)[0];
      const unit = measured ? codeFromSequence(measured.MeasurementUnitsCodeSequence) : null;
      const value = measured ? Number(textOf(measured.NumericValue)) : NaN;
      if (name && unit && Number.isFinite(value)) return new NumItem({ ...base, name, value, unit });
      break;
    }
    case 'UIDREF':
      if (name) return new UidRefItem({ ...base, name, value: textOf(item.UID) });
      break;
    case 'SCOORD': {
      const data = list(item.GraphicData).map(Number);
      const points: Array<[number, number]> = [];
      for (let i = 0; i + 1 < data.length; i += 2) points.push([data[i], data[i + 1]]);
      return new ScoordItem({ ...base, graphicType: textOf(item.GraphicType) as GraphicType, points });
    }
    case 'IMAGE': {
      const ref = reference(item);
      return new ImageItem({ ...base, reference: ref, frames: ref.frames, segments: ref.segments });
    }
    case 'COMPOSITE':
      return new CompositeItem({ ...base, reference: reference(item) });
  }
  // Value types we do not write (DATE, TIME, PNAME, SCOORD3D, ...), by-reference items, or an empty NUM.
  return new OtherItem({ ...base, rawValueType: valueType || 'BY-REFERENCE', raw: item });
}

/** The root container of an SR document (its content item attributes sit in the top-level dataset). */
export function readContentTree(dataset: Dataset): ContainerItem {
  if (textOf(dataset.ValueType) !== 'CONTAINER') throw new Error('readContentTree: the document root is not a CONTAINER');
  const { RelationshipType: _ignored, ...root } = dataset;
  return readContentItem(root) as ContainerItem;
}

export interface FindingSummary {
  trackingIdentifier: string | null;
  trackingUid: string | null;
  finding: Code | null;
  findingSite: Code | null;
  /** Probability of cancer (DCM 111047) when the group has one. */
  probability: number | null;
  stage: Code | null;
  measurements: Array<{ name: Code; value: number; unit: Code }>;
  region: { graphicType: GraphicType; points: Array<readonly [number, number]>; image: { sopClassUid: string; sopInstanceUid: string; frames: number[] } } | null;
  segment: { sopInstanceUid: string; segmentNumbers: number[] } | null;
  algorithm: { name: string; version: string | null } | null;
}

export interface ReportSummary {
  title: Code;
  templateId: string | null;
  findings: FindingSummary[];
  /** Report-level qualitative evaluations (TID 1500 row 12): coded values or text. */
  evaluations: Array<{ name: Code; value: Code | string }>;
}

function descendants(item: ContentItem): ContentItem[] {
  return item.children.flatMap((c) => [c, ...descendants(c)]);
}

const firstValue = <T extends ContentItem>(item: ContentItem, name: Code, kind: new (...a: never[]) => T): T | undefined =>
  item.children.find((c): c is T => c instanceof kind && name.equals(c.name));

function summariseGroup(group: ContainerItem): FindingSummary {
  const all = descendants(group);
  const scoord = all.find((c): c is ScoordItem => c instanceof ScoordItem);
  const segment = all.find((c): c is ImageItem => c instanceof ImageItem && c.segments.length > 0);
  const nums = group.children.filter((c): c is NumItem => c instanceof NumItem);
  const probability = nums.find((n) => CODES.probabilityOfCancer.equals(n.name));
  const stage = all.find((c): c is CodeItem => c instanceof CodeItem && STAGE_CONCEPT.equals(c.name));
  const algorithmName = all.find((c): c is TextItem => c instanceof TextItem && CODES.algorithmName.equals(c.name));
  const algorithmVersion = all.find((c): c is TextItem => c instanceof TextItem && CODES.algorithmVersion.equals(c.name));
  return {
    trackingIdentifier: firstValue(group, CODES.trackingIdentifier, TextItem)?.value ?? null,
    trackingUid: firstValue(group, CODES.trackingUniqueIdentifier, UidRefItem)?.value ?? null,
    finding: firstValue(group, CODES.finding, CodeItem)?.value ?? null,
    findingSite: firstValue(group, CODES.findingSite, CodeItem)?.value ?? null,
    probability: probability?.value ?? null,
    stage: stage?.value ?? null,
    measurements: nums.map((n) => ({ name: n.name!, value: n.value, unit: n.unit })),
    region: scoord
      ? {
          graphicType: scoord.graphicType,
          points: [...scoord.points],
          image: { sopClassUid: scoord.image.reference.sopClassUid, sopInstanceUid: scoord.image.reference.sopInstanceUid, frames: [...scoord.image.frames] },
        }
      : null,
    segment: segment ? { sopInstanceUid: segment.reference.sopInstanceUid, segmentNumbers: [...segment.segments] } : null,
    algorithm: algorithmName ? { name: algorithmName.value, version: algorithmVersion?.value ?? null } : null,
  };
}

/** Summary of a TID 1500 report (measurement groups anywhere under Imaging Measurements). */
export function summariseReport(root: ContainerItem): ReportSummary {
  const measurements = root.children.filter((c) => c instanceof ContainerItem && CODES.imagingMeasurements.equals(c.name));
  const groups = measurements.flatMap((m) => m.children.filter((c): c is ContainerItem => c instanceof ContainerItem && CODES.measurementGroup.equals(c.name)));
  const evaluations = root.children
    .filter((c) => c instanceof ContainerItem && CODES.qualitativeEvaluations.equals(c.name))
    .flatMap((c) => c.children)
    .flatMap((c) => (c instanceof CodeItem ? [{ name: c.name!, value: c.value as Code | string }] : c instanceof TextItem ? [{ name: c.name!, value: c.value }] : []));
  return { title: root.name!, templateId: root.templateId, findings: groups.map(summariseGroup), evaluations };
}

/** Reads and summarises a TID 1500 SR dataset. */
export function readReport(dataset: Dataset): { tree: ContainerItem; summary: ReportSummary } {
  const tree = readContentTree(dataset);
  return { tree, summary: summariseReport(tree) };
}
