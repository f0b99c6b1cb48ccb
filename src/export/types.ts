/**
 * What every exporter (STOW-RS, C-STORE SCU) answers: one outcome per instance, and an ExportError when the
 * destination could not be reached, refused the connection/association, or did not store every instance, so the
 * export job's retry policy applies the same way whatever the protocol.
 */

/** `stored` includes the warning statuses (PS3.4 B.2.3: coercion, elements discarded): the PACS kept the instance. */
export type InstanceStatus = 'stored' | 'warning' | 'failed';

export interface InstanceOutcome {
  file: string;
  sopClassUid: string;
  sopInstanceUid: string;
  status: InstanceStatus;
  /** DIMSE status (C-STORE) or FailureReason/WarningReason (STOW-RS, PS3.18 Table 10.5.3-1) when the peer gave one. */
  code?: number;
  /** Why it failed or warned, in the peer's words where it gave any. */
  detail?: string;
}

export interface StoreOutcome {
  destination: string;
  instances: InstanceOutcome[];
}

export interface Exporter {
  /** Destination name, for logs and metrics. */
  readonly name: string;
  /** Stores every file; resolves when all were stored, rejects with ExportError otherwise. */
  store(files: string[]): Promise<StoreOutcome>;
}

/** The destination is down, refused us, or failed some instances; `outcome` says which, when any got an answer. */
export class ExportError extends Error {
  override readonly name = 'ExportError';
  constructor(
    message: string,
    readonly outcome?: StoreOutcome,
  ) {
    super(message);
  }
}

/** Rejects an outcome with failed instances, naming the first failures (UIDs only: no patient data). */
export function requireAllStored(outcome: StoreOutcome): StoreOutcome {
  const failed = outcome.instances.filter((i) => i.status === 'failed');
  if (failed.length === 0) return outcome;
  const shown = failed
    .slice(0, 3)
    .map((i) => `${i.sopInstanceUid}${i.code !== undefined ? ` (0x${i.code.toString(16).padStart(4, '0')})` : ''}${i.detail ? `: ${i.detail}` : ''}`)
    .join('; ');
  throw new ExportError(`${outcome.destination}: ${failed.length} of ${outcome.instances.length} instances not stored: ${shown}`, outcome);
}
