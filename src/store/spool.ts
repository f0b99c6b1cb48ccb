/**
 * Received instances on disk. Writers stream into a unique file under incoming/ and commit it with an atomic rename
 * to studies/<study>/<series>/<sop>.dcm, so a reader never sees a partial file and a crash leaves only incoming/
 * debris, which `clearIncoming()` removes at start-up.
 */
import { randomBytes } from 'crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'fs';
import { join } from 'path';
import { isValidUid } from '../dicom/uid';

export class Spool {
  readonly incomingDir: string;
  readonly studiesDir: string;

  constructor(readonly root: string) {
    this.incomingDir = join(root, 'incoming');
    this.studiesDir = join(root, 'studies');
    mkdirSync(this.incomingDir, { recursive: true });
    mkdirSync(this.studiesDir, { recursive: true });
  }

  /** A fresh path under incoming/ to stream an instance into. */
  incomingPath(): string {
    return join(this.incomingDir, `${Date.now()}-${randomBytes(8).toString('hex')}.part`);
  }

  /** Moves a complete file into place (replacing an earlier copy of the same instance) and returns its path. */
  commit(tempPath: string, ids: { studyInstanceUid: string; seriesInstanceUid: string; sopInstanceUid: string }): string {
    for (const uid of [ids.studyInstanceUid, ids.seriesInstanceUid, ids.sopInstanceUid]) {
      // UIDs become path components: refuse anything that is not a UID (no "..", no slashes).
      if (!isValidUid(uid)) throw new Error(`not a valid UID: ${JSON.stringify(uid)}`);
    }
    const dir = join(this.studiesDir, ids.studyInstanceUid, ids.seriesInstanceUid);
    mkdirSync(dir, { recursive: true });
    const target = join(dir, `${ids.sopInstanceUid}.dcm`);
    renameSync(tempPath, target);
    return target;
  }

  discard(tempPath: string): void {
    rmSync(tempPath, { force: true });
  }

  /** Every committed file of a study (sorted, so analysis order is stable). */
  studyFiles(studyInstanceUid: string): string[] {
    const dir = join(this.studiesDir, studyInstanceUid);
    if (!isValidUid(studyInstanceUid) || !existsSync(dir)) return [];
    const files: string[] = [];
    for (const series of readdirSync(dir).sort()) {
      const seriesDir = join(dir, series);
      if (!statSync(seriesDir).isDirectory()) continue;
      for (const f of readdirSync(seriesDir).sort()) if (f.endsWith('.dcm')) files.push(join(seriesDir, f));
    }
    return files;
  }

  /** Removes partial files left by a crash; returns how many. */
  clearIncoming(): number {
    const left = readdirSync(this.incomingDir);
    for (const f of left) rmSync(join(this.incomingDir, f), { force: true });
    return left.length;
  }
}
