/** The SQLite store seen through the pipeline's narrow port (src/pipeline/ports.ts). */
import { NodeStore } from '../store/sqlite-store';
import { PipelineStore } from '../pipeline/ports';

export function pipelineStore(store: NodeStore, now: () => Date = () => new Date()): PipelineStore {
  return {
    study: (uid) => store.studies.get(uid),
    instances: (uid) => store.instances.listByStudy(uid),
    setStatus: (studyInstanceUid, revision, status, reason = null) => store.studies.setStatus({ studyInstanceUid, revision, status, reason }),
    saveAnalysis: (studyInstanceUid, revision, analysis, results) =>
      store.transactor.run(() => {
        if (!store.studies.recordAnalysis({ studyInstanceUid, revision, analysis, analysedAt: now() })) return false;
        store.results.replaceForStudy(studyInstanceUid, results);
        return true;
      }),
    results: (uid) => store.results.listByStudy(uid),
  };
}
