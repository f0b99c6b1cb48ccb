/** Address and CIDR matching for the DICOM peer registry: IPv4, IPv6, IPv4-mapped IPv6, host name entries. */
import { formatEndpoint, parseCidr, parseHostPattern, parseIp, rangeContains } from '../../src/security/cidr';

const inRange = (cidr: string, address: string): boolean => rangeContains(parseCidr(cidr)!, address);

describe('parseIp', () => {
  test('reads IPv4 and every IPv6 spelling into bytes', () => {
    expect(parseIp('10.1.2.3')).toEqual({ family: 4, bytes: Uint8Array.from([10, 1, 2, 3]) });
    const loopback = parseIp('::1')!;
    expect(loopback.family).toBe(6);
    expect([...loopback.bytes]).toEqual([...new Array(15).fill(0), 1]);
    expect(parseIp('fe80::1%eth0')?.family).toBe(6);
    expect([...parseIp('2001:db8:0:0:0:0:2:1')!.bytes]).toEqual([...parseIp('2001:db8::2:1')!.bytes]);
    expect([...parseIp('1:2:3:4:5:6:7::')!.bytes].slice(12)).toEqual([0, 7, 0, 0]);
    expect([...parseIp('64:ff9b::192.0.2.33')!.bytes].slice(12)).toEqual([192, 0, 2, 33]);
  });

  test('an IPv4-mapped IPv6 address is its IPv4 address', () => {
    expect(parseIp('::ffff:10.1.2.3')).toEqual({ family: 4, bytes: Uint8Array.from([10, 1, 2, 3]) });
    expect(parseIp('::FFFF:0a01:0203')).toEqual({ family: 4, bytes: Uint8Array.from([10, 1, 2, 3]) });
    expect(parseIp('0:0:0:0:0:ffff:10.1.2.3')?.family).toBe(4);
  });

  test('refuses what is not an address', () => {
    for (const bad of ['', '10.1.2', '10.1.2.256', '010.1.2.3', '10.1.2.3.4', '1.2.3.-1', ':::', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'g::1', '::1.2.3', 'localhost', '1.2.3.4::']) {
      expect({ bad, parsed: parseIp(bad) }).toEqual({ bad, parsed: null });
    }
  });
});

describe('CIDR ranges', () => {
  test('IPv4 ranges and single hosts', () => {
    expect(inRange('10.0.0.0/8', '10.255.1.2')).toBe(true);
    expect(inRange('10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(inRange('192.168.4.0/22', '192.168.7.255')).toBe(true);
    expect(inRange('192.168.4.0/22', '192.168.8.0')).toBe(false);
    expect(inRange('10.1.2.3', '10.1.2.3')).toBe(true);
    expect(inRange('10.1.2.3', '10.1.2.4')).toBe(false);
    expect(inRange('0.0.0.0/0', '203.0.113.5')).toBe(true);
  });

  test('IPv6 ranges, and the two families never match each other except through mapping', () => {
    expect(inRange('fd00:1::/32', 'fd00:1:ffff::5')).toBe(true);
    expect(inRange('fd00:1::/32', 'fd00:2::5')).toBe(false);
    expect(inRange('2001:db8::/127', '2001:db8::1')).toBe(true);
    expect(inRange('2001:db8::/127', '2001:db8::2')).toBe(false);
    expect(inRange('::/0', '10.0.0.1')).toBe(false);
    expect(inRange('0.0.0.0/0', '::1')).toBe(false);
  });

  test('IPv4-mapped addresses match IPv4 ranges and mapped ranges match IPv4 addresses', () => {
    expect(inRange('10.0.0.0/8', '::ffff:10.9.8.7')).toBe(true);
    expect(inRange('127.0.0.1', '::ffff:127.0.0.1')).toBe(true);
    expect(parseCidr('::ffff:10.0.0.0/104')).toEqual({ family: 4, bytes: Uint8Array.from([10, 0, 0, 0]), prefixLength: 8 });
    expect(inRange('::ffff:10.0.0.0/104', '10.200.0.1')).toBe(true);
    expect(inRange('::ffff:10.0.0.0/104', '11.0.0.1')).toBe(false);
  });

  test('refuses bad prefixes and host bits set below the prefix', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/08', '10.1.2.3/8', 'fd00::1/64', '::/129', '10.0.0.0/8/8', 'pacs/24', '10.0.0.0/']) {
      expect({ bad, parsed: parseCidr(bad) }).toEqual({ bad, parsed: null });
    }
  });
});

describe('parseHostPattern', () => {
  test('tells addresses and ranges from host names, and refuses near-misses', () => {
    expect(parseHostPattern('10.0.0.0/8')?.kind).toBe('range');
    expect(parseHostPattern('fd00::/8')?.kind).toBe('range');
    expect(parseHostPattern('10.1.2.3')?.kind).toBe('range');
    expect(parseHostPattern('Orthanc')).toEqual({ kind: 'hostname', name: 'orthanc' });
    expect(parseHostPattern('pacs.hospital.lan.')).toEqual({ kind: 'hostname', name: 'pacs.hospital.lan' });
    for (const bad of ['10.0.0.256', '10.0.0/8', 'pacs_1', '-pacs', 'pacs..lan', 'pacs/24', '', 'a'.repeat(64)]) {
      expect({ bad, parsed: parseHostPattern(bad) }).toEqual({ bad, parsed: null });
    }
  });
});

test('formatEndpoint writes address:port, IPv6 in brackets, mapped addresses as IPv4', () => {
  expect(formatEndpoint('10.1.2.3', 104)).toBe('10.1.2.3:104');
  expect(formatEndpoint('::ffff:10.1.2.3', 104)).toBe('10.1.2.3:104');
  expect(formatEndpoint('fd00::5', 104)).toBe('[fd00::5]:104');
});
