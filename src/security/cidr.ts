/**
 * IP address and CIDR range matching for the DICOM peer registry (which hosts may associate). IPv4, IPv6 and
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`, what a dual-stack listener reports for an IPv4 peer) are compared as one
 * address space: a mapped address is its IPv4 address, so `10.0.0.0/8` matches `::ffff:10.1.2.3` and the reverse.
 * Pure functions over strings, no DNS: host names are resolved by the caller.
 */

/** An address as 4 (IPv4) or 16 (IPv6) bytes; IPv4-mapped IPv6 addresses are stored as IPv4. */
export interface IpAddress {
  family: 4 | 6;
  bytes: Uint8Array;
}

export interface AddressRange {
  family: 4 | 6;
  /** The network address (host bits cleared). */
  bytes: Uint8Array;
  prefixLength: number;
}

/** What a registry host entry is: an address or range to compare, or a name to resolve. */
export type HostPattern = { kind: 'range'; range: AddressRange } | { kind: 'hostname'; name: string };

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    // Decimal only, no leading zeros: "010" is octal to some parsers and must not silently mean something else.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(parts[i])) return null;
    const value = Number(parts[i]);
    if (value > 255) return null;
    bytes[i] = value;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  // An embedded IPv4 address may end the text (RFC 4291 2.2 form 3); it counts as two groups.
  const last = halves.length === 2 ? tail : head;
  let ipv4: Uint8Array | null = null;
  if (last.length > 0 && last[last.length - 1].includes('.')) {
    ipv4 = parseIpv4(last.pop()!);
    if (!ipv4) return null;
  }
  const words = [...head, ...tail];
  if (!words.every((w) => /^[0-9a-fA-F]{1,4}$/.test(w))) return null;
  const total = words.length + (ipv4 ? 2 : 0);
  if (halves.length === 2 ? total > 7 : total !== 8) return null;
  const bytes = new Uint8Array(16);
  const put = (list: string[], at: number): void => list.forEach((w, i) => {
    const value = parseInt(w, 16);
    bytes[at + 2 * i] = value >> 8;
    bytes[at + 2 * i + 1] = value & 0xff;
  });
  put(head, 0);
  const tailBytes = tail.length * 2 + (ipv4 ? 4 : 0);
  put(tail, 16 - tailBytes);
  if (ipv4) bytes.set(ipv4, 12);
  return bytes;
}

const isIpv4Mapped = (b: Uint8Array): boolean => b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;

/** Parses an IPv4 or IPv6 address (an IPv6 zone such as `%eth0` is ignored); null when it is not one. */
export function parseIp(text: string): IpAddress | null {
  const trimmed = text.trim();
  const v4 = parseIpv4(trimmed);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIpv6(trimmed.replace(/%[0-9A-Za-z._~-]+$/, ''));
  if (!v6) return null;
  return isIpv4Mapped(v6) ? { family: 4, bytes: v6.slice(12) } : { family: 6, bytes: v6 };
}

function masked(bytes: Uint8Array, prefixLength: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let bit = prefixLength; bit < out.length * 8; bit++) out[bit >> 3] &= ~(0x80 >> (bit & 7));
  return out;
}

/**
 * Parses `address` or `address/prefix`. A bare address is a single-host range (/32, /128). An IPv4-mapped IPv6
 * range (`::ffff:10.0.0.0/104`) becomes the IPv4 range it covers (`10.0.0.0/8`). Host bits set in the address
 * (`10.1.2.3/8`) are an error, not silently cleared: such an entry is usually a typo for a narrower range.
 */
export function parseCidr(text: string): AddressRange | null {
  const [addressText, prefixText, ...rest] = text.trim().split('/');
  if (rest.length > 0) return null;
  // Parsed as IPv6 first when it has a colon, so that a mapped range keeps its IPv6 prefix length until converted.
  const raw = addressText.includes(':') ? parseIpv6(addressText) : parseIpv4(addressText);
  if (!raw) return null;
  const bits = raw.length * 8;
  let prefixLength = bits;
  if (prefixText !== undefined) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return null;
    prefixLength = Number(prefixText);
    if (prefixLength > bits) return null;
  }
  let family: 4 | 6 = raw.length === 4 ? 4 : 6;
  let bytes = raw;
  if (family === 6 && isIpv4Mapped(raw) && prefixLength >= 96) {
    family = 4;
    bytes = raw.slice(12);
    prefixLength -= 96;
  }
  const network = masked(bytes, prefixLength);
  if (!network.every((b, i) => b === bytes[i])) return null;
  return { family, bytes: network, prefixLength };
}

/** Whether `address` (text as a socket reports it, or parsed) lies in `range`. */
export function rangeContains(range: AddressRange, address: string | IpAddress): boolean {
  const ip = typeof address === 'string' ? parseIp(address) : address;
  if (!ip || ip.family !== range.family) return false;
  const candidate = masked(ip.bytes, range.prefixLength);
  return candidate.every((b, i) => b === range.bytes[i]);
}

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters. */
const HOSTNAME = /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * A registry host entry: an IP address, a CIDR range or a host name. Text made only of digits, dots and a slash
 * (or with a colon) must be a valid address or range: `10.0.0.256` or `10.0.0/8` is a mistake, not a host name.
 */
export function parseHostPattern(text: string): HostPattern | null {
  const trimmed = text.trim();
  if (/^[0-9./]+$/.test(trimmed) || trimmed.includes(':') || trimmed.includes('/')) {
    const range = parseCidr(trimmed);
    return range ? { kind: 'range', range } : null;
  }
  return HOSTNAME.test(trimmed) ? { kind: 'hostname', name: trimmed.toLowerCase().replace(/\.$/, '') } : null;
}

/** `host:port` as log lines show a socket's peer (`[v6]:port` for IPv6, mapped addresses shown as IPv4). */
export function formatEndpoint(address: string, port: number): string {
  const ip = parseIp(address);
  if (!ip) return `${address}:${port}`;
  const text = ip.family === 4 ? [...ip.bytes].join('.') : address.replace(/%.*$/, '');
  return ip.family === 6 ? `[${text}]:${port}` : `${text}:${port}`;
}
