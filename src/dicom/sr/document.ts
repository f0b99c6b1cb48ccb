/**
 * Comprehensive SR IOD (PS3.3 A.35.3): Patient, General Study, SR Document Series, General Equipment,
 * SR Document General, SR Document Content and SOP Common modules around a typed content tree.
 */
import { CODES } from '../codes';
import { Dataset } from '../io';
import { isValidUid } from '../uid';
import { ContainerItem } from './value-types';
import { SopClass } from '../uids';


export interface EvidenceInstance {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
}

export interface ComprehensiveSrOptions {
  root: ContainerItem;
  /** Patient and General Study attributes (copied from the source, e.g. patientAndStudy()). */
  patientAndStudy: Dataset;
  /** General Equipment, contributing equipment, creation and content date/time (e.g. equipmentAndProvenance()). */
  equipment: Dataset;
  series: { instanceUid: string; number: number; description: string };
  instance: { sopInstanceUid: string; number: number };
  /** PS3.3 C.17.2.3: instances of the current procedure the content refers to (the source images). */
  evidence: EvidenceInstance[];
  /** Other instances the content refers to (e.g. our SEG objects). */
  otherEvidence?: EvidenceInstance[];
  completion: 'COMPLETE' | 'PARTIAL';
  verification: 'UNVERIFIED';
}

/** Hierarchical SOP Instance Reference Macro (PS3.3 Table C.17-3): study → series → instances. */
export function hierarchicalReferences(instances: EvidenceInstance[]): Dataset[] {
  const studies = new Map<string, Map<string, EvidenceInstance[]>>();
  for (const i of instances) {
    for (const uid of [i.studyInstanceUid, i.seriesInstanceUid, i.sopClassUid, i.sopInstanceUid])
      if (!isValidUid(uid)) throw new Error(`evidence: invalid UID "${uid}"`);
    const series = studies.get(i.studyInstanceUid) ?? new Map<string, EvidenceInstance[]>();
    studies.set(i.studyInstanceUid, series);
    const list = series.get(i.seriesInstanceUid) ?? [];
    if (!list.some((x) => x.sopInstanceUid === i.sopInstanceUid)) list.push(i);
    series.set(i.seriesInstanceUid, list);
  }
  return [...studies].map(([studyInstanceUid, series]) => ({
    StudyInstanceUID: studyInstanceUid,
    ReferencedSeriesSequence: [...series].map(([seriesInstanceUid, list]) => ({
      SeriesInstanceUID: seriesInstanceUid,
      ReferencedSOPSequence: list.map((i) => ({ ReferencedSOPClassUID: i.sopClassUid, ReferencedSOPInstanceUID: i.sopInstanceUid })),
    })),
  }));
}

export function comprehensiveSr(options: ComprehensiveSrOptions): Dataset {
  const { root } = options;
  if (root.relationship !== null) throw new Error('comprehensiveSr: the root container has no relationship type');
  if (!CODES.imagingMeasurementReport.equals(root.name) && root.templateId === '1500') throw new Error('comprehensiveSr: TID 1500 root must be titled 126000');
  for (const uid of [options.series.instanceUid, options.instance.sopInstanceUid]) if (!isValidUid(uid)) throw new Error(`comprehensiveSr: invalid UID "${uid}"`);
  if (!options.patientAndStudy.StudyInstanceUID) throw new Error('comprehensiveSr: patientAndStudy needs StudyInstanceUID');

  const content = root.toDataset();
  const ds: Dataset = {
    ...options.patientAndStudy,
    // SR Document Series (C.17.1)
    Modality: 'SR',
    SeriesInstanceUID: options.series.instanceUid,
    SeriesNumber: options.series.number,
    SeriesDescription: options.series.description,
    ReferencedPerformedProcedureStepSequence: [],
    // General Equipment (C.7.5.1) and provenance
    ...options.equipment,
    // SOP Common (C.12.1)
    SOPClassUID: SopClass.ComprehensiveSr,
    SOPInstanceUID: options.instance.sopInstanceUid,
    // SR Document General (C.17.2)
    InstanceNumber: options.instance.number,
    CompletionFlag: options.completion,
    VerificationFlag: options.verification,
    PerformedProcedureCodeSequence: [],
    // SR Document Content (C.17.3): the root content item's attributes sit in the top-level dataset.
    ...content,
  };
  if (options.evidence.length) ds.CurrentRequestedProcedureEvidenceSequence = hierarchicalReferences(options.evidence);
  if (options.otherEvidence?.length) ds.PertinentOtherEvidenceSequence = hierarchicalReferences(options.otherEvidence);
  return ds;
}
