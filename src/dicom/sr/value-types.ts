/**
 * SR content items by value type (PS3.3 C.17.3 and Table C.17.3-7 Value Types). Each constructor checks its value
 * and the relationships to its children (PS3.3 Table A.35.3-2, Comprehensive SR), so anything built from these
 * classes is a well-formed content tree; templates (templates.ts) only compose them.
 */
import { Code } from '../codes';
import { Dataset } from '../io';
import { isValidUid } from '../uid';
import { codeToItem } from './coded';
import { AnyValueType, RELATIONSHIP_RULES, RELATIONSHIPS, RelationshipType } from './relationships';

export type { AnyValueType, RelationshipType, ValueType } from './relationships';

export class ContentItemError extends Error {
  override readonly name = 'ContentItemError';
}

export interface ItemOptions {
  /** Absent only for the document root. */
  relationship?: RelationshipType;
  /** Concept name; PS3.3 C.17.3: required for CODE, TEXT, NUM, UIDREF and the root CONTAINER. */
  name?: Code;
  children?: ContentItem[];
}

export abstract class ContentItem {
  abstract readonly valueType: AnyValueType;
  readonly relationship: RelationshipType | null;
  readonly name: Code | null;
  readonly children: readonly ContentItem[];

  protected constructor(options: ItemOptions, nameRequired: boolean) {
    if (options.relationship !== undefined && !RELATIONSHIPS.includes(options.relationship))
      throw new ContentItemError(`unknown relationship type "${String(options.relationship)}"`);
    if (options.name !== undefined && !(options.name instanceof Code)) throw new ContentItemError('concept name must be a Code');
    if (nameRequired && !options.name) throw new ContentItemError(`${new.target.name} needs a concept name`);
    this.relationship = options.relationship ?? null;
    this.name = options.name ?? null;
    this.children = [...(options.children ?? [])];
  }

  /** Called by subclasses once valueType is set (a field initialiser runs after the base constructor). */
  protected checkChildren(): void {
    for (const child of this.children) {
      if (!(child instanceof ContentItem)) throw new ContentItemError('children must be content items');
      if (!child.relationship) throw new ContentItemError(`${child.valueType} child of ${this.valueType} has no relationship type`);
      const rule = RELATIONSHIP_RULES[child.relationship];
      if (!rule.sources.includes(this.valueType) || !rule.targets.includes(child.valueType))
        throw new ContentItemError(`${this.valueType} may not have a ${child.relationship} ${child.valueType} child (PS3.3 Table A.35.3-2)`);
    }
  }

  /** Child items with this concept name. */
  find(name: Code): ContentItem[] {
    return this.children.filter((c) => name.equals(c.name));
  }

  toDataset(): Dataset {
    const out: Dataset = {};
    if (this.relationship) out.RelationshipType = this.relationship;
    if (this.valueType !== 'OTHER') out.ValueType = this.valueType;
    if (this.name) out.ConceptNameCodeSequence = [codeToItem(this.name)];
    Object.assign(out, this.valueAttributes());
    if (this.children.length) out.ContentSequence = this.children.map((c) => c.toDataset());
    return out;
  }

  protected abstract valueAttributes(): Dataset;
}

export class ContainerItem extends ContentItem {
  readonly valueType = 'CONTAINER' as const;
  readonly continuity: 'SEPARATE' | 'CONTINUOUS';
  /** DCMR template this container roots (PS3.3 C.18.8 Content Template Sequence). */
  readonly templateId: string | null;

  constructor(options: ItemOptions & { name: Code; continuity?: 'SEPARATE' | 'CONTINUOUS'; templateId?: string }) {
    super(options, true);
    this.continuity = options.continuity ?? 'SEPARATE';
    if (options.templateId !== undefined && !/^[0-9]{1,16}$/.test(options.templateId))
      throw new ContentItemError(`invalid template identifier "${options.templateId}"`);
    this.templateId = options.templateId ?? null;
    this.checkChildren();
  }

  protected valueAttributes(): Dataset {
    const out: Dataset = { ContinuityOfContent: this.continuity };
    if (this.templateId) out.ContentTemplateSequence = [{ MappingResource: 'DCMR', TemplateIdentifier: this.templateId }];
    return out;
  }
}

export class CodeItem extends ContentItem {
  readonly valueType = 'CODE' as const;
  readonly value: Code;

  constructor(options: ItemOptions & { name: Code; value: Code }) {
    super(options, true);
    if (!(options.value instanceof Code)) throw new ContentItemError('CODE value must be a coded concept');
    this.value = options.value;
    this.checkChildren();
  }

  protected valueAttributes(): Dataset {
    return { ConceptCodeSequence: [codeToItem(this.value)] };
  }
}

export class TextItem extends ContentItem {
  readonly valueType = 'TEXT' as const;
  readonly value: string;

  constructor(options: ItemOptions & { name: Code; value: string }) {
    super(options, true);
    // TextValue is UT; an empty value says nothing and is refused.
    if (typeof options.value !== 'string' || options.value.trim() === '') throw new ContentItemError('TEXT value must be a non-empty string');
    this.value = options.value;
    this.checkChildren();
  }

  protected valueAttributes(): Dataset {
    return { TextValue: this.value };
  }
}

/** DS (PS3.5 6.2): at most 16 characters. */
function formatDecimal(value: number): string {
  for (let digits = 10; digits >= 1; digits--) {
    const s = String(Number(value.toPrecision(digits)));
    if (s.length <= 16) return s;
  }
  throw new ContentItemError(`NUM value ${value} does not fit a DS`);
}

export class NumItem extends ContentItem {
  readonly valueType = 'NUM' as const;
  readonly value: number;
  readonly unit: Code;

  constructor(options: ItemOptions & { name: Code; value: number; unit: Code }) {
    super(options, true);
    if (typeof options.value !== 'number' || !Number.isFinite(options.value)) throw new ContentItemError('NUM value must be a finite number');
    if (!(options.unit instanceof Code)) throw new ContentItemError('NUM unit must be a coded concept (UCUM)');
    this.value = options.value;
    this.unit = options.unit;
    this.checkChildren();
  }

  protected valueAttributes(): Dataset {
    return { MeasuredValueSequence: [{ NumericValue: formatDecimal(this.value), MeasurementUnitsCodeSequence: [codeToItem(this.unit)] }] };
  }
}

export class UidRefItem extends ContentItem {
  readonly valueType = 'UIDREF' as const;
  readonly value: string;

  constructor(options: ItemOptions & { name: Code; value: string }) {
    super(options, true);
    if (typeof options.value !== 'string' || !isValidUid(options.value)) throw new ContentItemError(`UIDREF value "${String(options.value)}" is not a UID`);
    this.value = options.value;
    this.checkChildren();
  }

  protected valueAttributes(): Dataset {
    return { UID: this.value };
  }
}

export type GraphicType = 'POINT' | 'MULTIPOINT' | 'POLYLINE' | 'CIRCLE' | 'ELLIPSE';
const POINT_COUNT: Record<GraphicType, (n: number) => boolean> = {
  POINT: (n) => n === 1,
  MULTIPOINT: (n) => n >= 1,
  POLYLINE: (n) => n >= 2,
  CIRCLE: (n) => n === 2,
  ELLIPSE: (n) => n === 4,
};

/** 2D spatial coordinates in image pixels (PS3.3 C.18.6): column, row pairs, always SELECTED FROM one IMAGE. */
export class ScoordItem extends ContentItem {
  readonly valueType = 'SCOORD' as const;
  readonly graphicType: GraphicType;
  readonly points: ReadonlyArray<readonly [number, number]>;

  constructor(options: ItemOptions & { graphicType: GraphicType; points: Array<[number, number]> }) {
    super(options, false);
    if (!(options.graphicType in POINT_COUNT)) throw new ContentItemError(`unknown graphic type "${String(options.graphicType)}"`);
    if (!POINT_COUNT[options.graphicType](options.points.length))
      throw new ContentItemError(`${options.graphicType} cannot have ${options.points.length} points (PS3.3 C.18.6.1.2)`);
    if (options.points.some((p) => p.length !== 2 || !p.every(Number.isFinite))) throw new ContentItemError('SCOORD points must be finite (column, row) pairs');
    // PS3.3 C.18.6.1.1: the image the coordinates belong to is a SELECTED FROM child.
    const sources = this.children.filter((c) => c.relationship === 'SELECTED FROM');
    if (sources.length !== 1 || !(sources[0] instanceof ImageItem)) throw new ContentItemError('SCOORD needs exactly one SELECTED FROM IMAGE child');
    this.graphicType = options.graphicType;
    this.points = options.points.map(([x, y]) => [x, y] as const);
    this.checkChildren();
  }

  get image(): ImageItem {
    return this.children.find((c) => c.relationship === 'SELECTED FROM') as ImageItem;
  }

  protected valueAttributes(): Dataset {
    return { GraphicType: this.graphicType, GraphicData: this.points.flatMap(([x, y]) => [x, y]) };
  }
}

export interface SopReference {
  sopClassUid: string;
  sopInstanceUid: string;
}

function checkReference(ref: SopReference): void {
  if (!isValidUid(ref.sopClassUid) || !isValidUid(ref.sopInstanceUid)) throw new ContentItemError('reference needs valid SOP Class and SOP Instance UIDs');
}

/** Reference to any composite instance (PS3.3 C.18.3). */
export class CompositeItem extends ContentItem {
  readonly valueType: 'COMPOSITE' | 'IMAGE' = 'COMPOSITE';
  readonly reference: SopReference;

  constructor(options: ItemOptions & { reference: SopReference }) {
    super(options, false);
    checkReference(options.reference);
    this.reference = { sopClassUid: options.reference.sopClassUid, sopInstanceUid: options.reference.sopInstanceUid };
    this.checkChildren();
  }

  protected referenceItem(): Dataset {
    return { ReferencedSOPClassUID: this.reference.sopClassUid, ReferencedSOPInstanceUID: this.reference.sopInstanceUid };
  }

  protected valueAttributes(): Dataset {
    return { ReferencedSOPSequence: [this.referenceItem()] };
  }
}

/** Reference to an image, optionally to frames (1-based) or to segments of a Segmentation (PS3.3 C.18.4, 10.4). */
export class ImageItem extends CompositeItem {
  override readonly valueType = 'IMAGE' as const;
  readonly frames: readonly number[];
  readonly segments: readonly number[];

  constructor(options: ItemOptions & { reference: SopReference; frames?: number[]; segments?: number[] }) {
    super(options);
    const frames = options.frames ?? [];
    const segments = options.segments ?? [];
    if (frames.some((f) => !Number.isInteger(f) || f < 1)) throw new ContentItemError('frame numbers start at 1');
    if (segments.some((s) => !Number.isInteger(s) || s < 1 || s > 65535)) throw new ContentItemError('segment numbers are 1-65535 (PS3.3 C.8.20.2)');
    if (frames.length && segments.length) throw new ContentItemError('reference frames or segments, not both (PS3.3 Table 10-3)');
    this.frames = frames;
    this.segments = segments;
    this.checkChildren();
  }

  protected override referenceItem(): Dataset {
    const out = super.referenceItem();
    if (this.frames.length) out.ReferencedFrameNumber = this.frames.length === 1 ? this.frames[0] : [...this.frames];
    if (this.segments.length) out.ReferencedSegmentNumber = this.segments.length === 1 ? this.segments[0] : [...this.segments];
    return out;
  }
}

/** An item of a value type we read but never write (DATE, TIME, PNAME, SCOORD3D, by-reference items, ...). */
export class OtherItem extends ContentItem {
  readonly valueType = 'OTHER' as const;
  readonly rawValueType: string;
  private readonly raw: Dataset;

  constructor(options: ItemOptions & { rawValueType: string; raw: Dataset }) {
    super(options, false);
    this.rawValueType = options.rawValueType;
    this.raw = options.raw;
  }

  protected valueAttributes(): Dataset {
    const { RelationshipType: _r, ConceptNameCodeSequence: _n, ContentSequence: _c, ...rest } = this.raw;
    return rest;
  }
}
