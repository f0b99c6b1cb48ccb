/** Free space on the file system that holds the spool (the C-STORE SCP refuses work when it runs low). */
import { statfsSync } from 'fs';

/** Synchronous on purpose: one statfs(2) per association or instance costs microseconds and keeps decisions atomic. */
export function freeDiskMb(path: string): number {
  const stats = statfsSync(path);
  // bavail: blocks available to unprivileged users (what our process can actually write).
  return (Number(stats.bavail) * Number(stats.bsize)) / (1024 * 1024);
}
