/**
 * The DICOM peer registry: the named sources that may store to us, each an AE title bound to the hosts it may
 * come from (addresses, CIDR ranges, host names) and optionally to the SHA-256 fingerprint of its TLS client
 * certificate. Identification and the certificate check are pure functions; the registry adds host name resolution.
 *
 * Host names are resolved (all addresses, IPv4 and IPv6) when the listener starts, again every `refreshMs`
 * (5 minutes by default), and on a miss: when a registered AE title arrives from an address none of its hosts has,
 * that peer's names are looked up again before the association is refused (at most once per `missRefreshMs` per
 * name, so that a stranger using a registered title cannot make us hammer the DNS server). A failed lookup keeps the
 * addresses of the last successful one: a DNS outage does not lock out a known modality.
 */
import { promises as dns } from 'dns';
import type { Logger } from '../../logging/logger';
import { parseHostPattern, parseIp, rangeContains, type AddressRange, type IpAddress } from '../../security/cidr';

export interface DicomPeer {
  /** Unique, for logs, audit messages and per-peer limits. */
  name: string;
  aet: string;
  /** IP addresses, CIDR ranges (IPv4 or IPv6) and host names the peer's connections may come from. */
  hosts: readonly string[];
  /** Associations this peer may hold at once, besides the listener's global limit. */
  maxAssociations?: number;
  /** SHA-256 fingerprint of the peer's TLS client certificate (hex, colons optional). */
  certificateFingerprint?: string;
}

/** Who a calling AE title at an address is. */
export type PeerIdentity =
  | { kind: 'registered'; peer: DicomPeer }
  | { kind: 'unknown-aet' }
  /** The AE title is registered, but not for this address: these are the peers that carry it. */
  | { kind: 'unregistered-address'; candidates: readonly DicomPeer[] };

/** AE titles: leading and trailing spaces are not significant (PS3.5 6.2, AE); case is. */
export const sameAet = (a: string, b: string): boolean => a.trim() === b.trim();

/** A peer with its host entries parsed; `hostnames` are looked up in `resolved`. */
interface PeerEntry {
  peer: DicomPeer;
  ranges: AddressRange[];
  hostnames: string[];
}

export function identifyPeer(entries: readonly PeerEntry[], resolved: ReadonlyMap<string, readonly IpAddress[]>, callingAet: string, remoteAddress: string): PeerIdentity {
  const candidates = entries.filter((e) => sameAet(e.peer.aet, callingAet));
  if (candidates.length === 0) return { kind: 'unknown-aet' };
  const ip = parseIp(remoteAddress);
  const sameIp = (a: IpAddress, b: IpAddress): boolean => a.family === b.family && a.bytes.every((x, i) => x === b.bytes[i]);
  const match = ip && candidates.find((e) => e.ranges.some((r) => rangeContains(r, ip)) || e.hostnames.some((h) => (resolved.get(h) ?? []).some((a) => sameIp(a, ip))));
  return match ? { kind: 'registered', peer: match.peer } : { kind: 'unregistered-address', candidates: candidates.map((e) => e.peer) };
}

/** Lower-case hex without separators, or null when it is not a SHA-256 fingerprint (`AB:CD:…` or `abcd…`). */
export function normaliseFingerprint(text: string): string | null {
  const hex = text.trim().replace(/^sha256[:=]/i, '').replace(/[:\s]/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}

export type CertificateCheck = 'not-pinned' | 'matches' | 'missing' | 'mismatch';

/**
 * The peer's pinned certificate against the one its connection presented: `fingerprint` is the SHA-256 of the TLS
 * client certificate (Node's `fingerprint256`), or null on a plain TCP connection or a TLS one without a client
 * certificate. A pinned peer therefore associates only over TLS with that certificate.
 */
export function checkPeerCertificate(peer: DicomPeer, fingerprint: string | null): CertificateCheck {
  if (!peer.certificateFingerprint) return 'not-pinned';
  if (fingerprint === null) return 'missing';
  return normaliseFingerprint(fingerprint) === normaliseFingerprint(peer.certificateFingerprint) ? 'matches' : 'mismatch';
}

export type HostLookup = (hostname: string) => Promise<string[]>;

/** Every address of a name, as the system resolver (getaddrinfo: /etc/hosts, DNS) returns them. */
export const systemLookup: HostLookup = async (hostname) => (await dns.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export interface PeerRegistryOptions {
  lookup?: HostLookup;
  /** Periodic re-resolution of every host name; 0 turns it off. */
  refreshMs?: number;
  /** A name is looked up again on a miss at most this often. */
  missRefreshMs?: number;
  /** A lookup that takes longer counts as failed (the association waits for it). */
  lookupTimeoutMs?: number;
  logger: Logger;
}

export const DEFAULT_REFRESH_MS = 5 * 60_000;
export const DEFAULT_MISS_REFRESH_MS = 10_000;
export const DEFAULT_LOOKUP_TIMEOUT_MS = 3_000;

export class PeerRegistry {
  private readonly entries: PeerEntry[];
  private readonly resolved = new Map<string, IpAddress[]>();
  private readonly lookedUpAt = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly lookup: HostLookup;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly peers: readonly DicomPeer[],
    private readonly options: PeerRegistryOptions,
  ) {
    this.lookup = options.lookup ?? systemLookup;
    const names = new Set<string>();
    this.entries = peers.map((peer) => {
      if (names.has(peer.name)) throw new Error(`DICOM peer name "${peer.name}" is used twice`);
      names.add(peer.name);
      if (peer.hosts.length === 0) throw new Error(`DICOM peer "${peer.name}" has no hosts`);
      if (peer.certificateFingerprint !== undefined && !normaliseFingerprint(peer.certificateFingerprint)) throw new Error(`DICOM peer "${peer.name}": certificateFingerprint is not a SHA-256 fingerprint`);
      const entry: PeerEntry = { peer, ranges: [], hostnames: [] };
      for (const host of peer.hosts) {
        const pattern = parseHostPattern(host);
        if (!pattern) throw new Error(`DICOM peer "${peer.name}": "${host}" is not an IP address, CIDR range or host name`);
        if (pattern.kind === 'range') entry.ranges.push(pattern.range);
        else entry.hostnames.push(pattern.name);
      }
      return entry;
    });
  }

  /** Resolves every host name once (a name that does not resolve is logged, not fatal), then keeps them fresh. */
  async start(): Promise<void> {
    await Promise.all(this.allHostnames().map((h) => this.resolve(h)));
    const every = this.options.refreshMs ?? DEFAULT_REFRESH_MS;
    if (every > 0 && this.allHostnames().length > 0) {
      this.timer = setInterval(() => void Promise.all(this.allHostnames().map((h) => this.resolve(h))), every);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** From the addresses known now. */
  identify(callingAet: string, remoteAddress: string): PeerIdentity {
    return identifyPeer(this.entries, this.resolved, callingAet, remoteAddress);
  }

  /** As identify, but a registered AE title from an unknown address first re-resolves that peer's host names. */
  async identifyFresh(callingAet: string, remoteAddress: string): Promise<PeerIdentity> {
    const first = this.identify(callingAet, remoteAddress);
    if (first.kind !== 'unregistered-address') return first;
    const minAge = this.options.missRefreshMs ?? DEFAULT_MISS_REFRESH_MS;
    const now = Date.now();
    const names = this.entries.filter((e) => first.candidates.includes(e.peer)).flatMap((e) => e.hostnames).filter((h) => now - (this.lookedUpAt.get(h) ?? 0) >= minAge);
    if (names.length === 0) return first;
    await Promise.all(names.map((h) => this.resolve(h)));
    return this.identify(callingAet, remoteAddress);
  }

  private allHostnames(): string[] {
    return [...new Set(this.entries.flatMap((e) => e.hostnames))];
  }

  private resolve(hostname: string): Promise<void> {
    const running = this.inFlight.get(hostname);
    if (running) return running;
    this.lookedUpAt.set(hostname, Date.now());
    const timeoutMs = this.options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    });
    const work = Promise.race([this.lookup(hostname), timeout])
      .then((addresses) => {
        const parsed = addresses.map(parseIp).filter((a): a is IpAddress => a !== null);
        const key = (list: readonly IpAddress[]): string => list.map((a) => a.bytes.join('.')).sort().join(',');
        const before = this.resolved.get(hostname);
        this.resolved.set(hostname, parsed);
        if (!before || key(before) !== key(parsed)) this.options.logger.info('peer host resolved', { hostname, addresses });
      })
      .catch((err: Error) => {
        // The last good addresses stay in use: a DNS hiccup must not refuse a modality that was just storing.
        this.options.logger.warn('peer host not resolved', { hostname, reason: (err as NodeJS.ErrnoException).code ?? err.message, keeping: (this.resolved.get(hostname) ?? []).length });
      })
      .finally(() => {
        clearTimeout(timer);
        this.inFlight.delete(hostname);
      });
    this.inFlight.set(hostname, work);
    return work;
  }
}
