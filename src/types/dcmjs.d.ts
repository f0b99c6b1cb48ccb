// Minimal typings for the parts of dcmjs 0.51 we use (the package ships none).
declare module 'dcmjs' {
  export type NaturalDataset = Record<string, unknown> & { _vrMap?: Record<string, string> };
  export interface DenaturalizedDataset {
    [tag: string]: { vr: string; Value?: unknown[]; InlineBinary?: string };
  }
  export class DicomDict {
    constructor(meta: DenaturalizedDataset);
    meta: DenaturalizedDataset;
    dict: DenaturalizedDataset;
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }
  export const data: {
    DicomDict: typeof DicomDict;
    DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; untilTag?: string; includeUntilTagValue?: boolean }): DicomDict;
    };
    DicomMetaDictionary: {
      naturalizeDataset(dataset: DenaturalizedDataset): NaturalDataset;
      denaturalizeDataset(dataset: NaturalDataset): DenaturalizedDataset;
    };
  };
  export const log: { setLevel(level: string): void; level?: unknown };
}
