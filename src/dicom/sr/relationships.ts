/** Value types and relationship types of SR content items, and which may be combined (PS3.3 Table A.35.3-2). */

export type ValueType = 'CONTAINER' | 'CODE' | 'TEXT' | 'NUM' | 'UIDREF' | 'SCOORD' | 'IMAGE' | 'COMPOSITE';
export type RelationshipType =
  | 'CONTAINS'
  | 'HAS OBS CONTEXT'
  | 'HAS ACQ CONTEXT'
  | 'HAS CONCEPT MOD'
  | 'HAS PROPERTIES'
  | 'INFERRED FROM'
  | 'SELECTED FROM';
export type AnyValueType = ValueType | 'OTHER';

const ALL: readonly AnyValueType[] = ['CONTAINER', 'CODE', 'TEXT', 'NUM', 'UIDREF', 'SCOORD', 'IMAGE', 'COMPOSITE', 'OTHER'];
/** PS3.3 Table A.35.3-2 (Comprehensive SR IOD): which source value types may have which target value types. */
export const RELATIONSHIP_RULES: Record<RelationshipType, { sources: readonly AnyValueType[]; targets: readonly AnyValueType[] }> = {
  CONTAINS: { sources: ['CONTAINER'], targets: ALL },
  'HAS OBS CONTEXT': {
    sources: ['CONTAINER', 'TEXT', 'CODE', 'NUM', 'IMAGE', 'COMPOSITE', 'SCOORD'],
    targets: ['TEXT', 'CODE', 'NUM', 'UIDREF', 'COMPOSITE', 'OTHER'],
  },
  'HAS ACQ CONTEXT': {
    sources: ['CONTAINER', 'IMAGE', 'COMPOSITE', 'NUM'],
    targets: ['TEXT', 'CODE', 'NUM', 'UIDREF', 'CONTAINER', 'OTHER'],
  },
  'HAS CONCEPT MOD': {
    sources: ['CONTAINER', 'TEXT', 'CODE', 'NUM', 'IMAGE', 'COMPOSITE', 'SCOORD', 'UIDREF'],
    targets: ['TEXT', 'CODE', 'OTHER'],
  },
  'HAS PROPERTIES': { sources: ['CONTAINER', 'TEXT', 'CODE', 'NUM'], targets: ALL },
  'INFERRED FROM': { sources: ['TEXT', 'CODE', 'NUM'], targets: ALL },
  'SELECTED FROM': { sources: ['SCOORD'], targets: ['IMAGE'] },
};
export const RELATIONSHIPS = Object.keys(RELATIONSHIP_RULES) as RelationshipType[];
