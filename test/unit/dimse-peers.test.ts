/**
 * The peer registry's host names: resolved at start through the system resolver (localhost), re-resolved on a miss
 * at most once per interval, and the last good addresses kept when a lookup fails. DNS answers cannot be changed on
 * this machine, so the refresh tests use a scripted lookup function in place of the resolver.
 */
import { PeerRegistry, type HostLookup } from '../../src/ingest/dimse/peers';
import { createLogger } from '../../src/logging/logger';

const lines: string[] = [];
const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) });

test('a host name entry is resolved by the system resolver at start', async () => {
  const registry = new PeerRegistry([{ name: 'local', aet: 'LOCAL', hosts: ['localhost'] }], { logger, refreshMs: 0 });
  await registry.start();
  expect(registry.identify('LOCAL', '127.0.0.1')).toMatchObject({ kind: 'registered', peer: { name: 'local' } });
  expect(registry.identify('LOCAL', '::ffff:127.0.0.1')).toMatchObject({ kind: 'registered' });
  expect(registry.identify('LOCAL', '10.0.0.1')).toMatchObject({ kind: 'unregistered-address' });
  registry.stop();
});

test('a miss re-resolves the names of that peer (rate-limited); a failed lookup keeps the last addresses', async () => {
  let answer: string[] | Error = ['10.0.0.1'];
  const asked: string[] = [];
  const lookup: HostLookup = async (host) => {
    asked.push(host);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const registry = new PeerRegistry(
    [
      { name: 'pacs', aet: 'PACS', hosts: ['pacs.hospital.lan'] },
      { name: 'other', aet: 'OTHER', hosts: ['other.hospital.lan', '192.0.2.0/24'] },
    ],
    { logger, lookup, refreshMs: 0, missRefreshMs: 200 },
  );
  await registry.start();
  expect(asked.sort()).toEqual(['other.hospital.lan', 'pacs.hospital.lan']);
  expect(registry.identify('PACS', '10.0.0.1').kind).toBe('registered');

  // The PACS moved (DHCP): the first association from its new address triggers a lookup of its names only.
  answer = ['10.0.0.2'];
  asked.length = 0;
  await new Promise((r) => setTimeout(r, 250));
  expect((await registry.identifyFresh('PACS', '10.0.0.2')).kind).toBe('registered');
  expect(asked).toEqual(['pacs.hospital.lan']);
  // A stranger using the title from elsewhere does not make us ask again within the interval.
  expect((await registry.identifyFresh('PACS', '203.0.113.7')).kind).toBe('unregistered-address');
  expect(asked).toEqual(['pacs.hospital.lan']);
  // Unknown titles never cause a lookup.
  expect((await registry.identifyFresh('NOBODY', '10.0.0.2')).kind).toBe('unknown-aet');
  expect(asked).toEqual(['pacs.hospital.lan']);

  // DNS down: the addresses of the last good answer stay valid.
  answer = Object.assign(new Error('queryA ETIMEOUT'), { code: 'ETIMEOUT' });
  await new Promise((r) => setTimeout(r, 250));
  expect((await registry.identifyFresh('PACS', '203.0.113.7')).kind).toBe('unregistered-address');
  expect(registry.identify('PACS', '10.0.0.2').kind).toBe('registered');
  expect(lines.some((l) => l.includes('peer host not resolved') && l.includes('ETIMEOUT'))).toBe(true);
  registry.stop();
});

test('a lookup that hangs counts as failed after lookupTimeoutMs', async () => {
  const registry = new PeerRegistry([{ name: 'pacs', aet: 'PACS', hosts: ['slow.hospital.lan'] }], { logger, lookup: () => new Promise(() => undefined), refreshMs: 0, lookupTimeoutMs: 100 });
  const started = Date.now();
  await registry.start();
  expect(Date.now() - started).toBeLessThan(1000);
  expect(registry.identify('PACS', '10.0.0.1').kind).toBe('unregistered-address');
});

test('the registry refuses entries that are not addresses, ranges or names, and duplicate names', () => {
  expect(() => new PeerRegistry([{ name: 'x', aet: 'X', hosts: ['10.0.0.256'] }], { logger })).toThrow(/not an IP address, CIDR range or host name/);
  expect(() => new PeerRegistry([{ name: 'x', aet: 'X', hosts: [] }], { logger })).toThrow(/no hosts/);
  expect(() => new PeerRegistry([{ name: 'x', aet: 'X', hosts: ['10.0.0.1'] }, { name: 'x', aet: 'Y', hosts: ['10.0.0.2'] }], { logger })).toThrow(/used twice/);
  expect(() => new PeerRegistry([{ name: 'x', aet: 'X', hosts: ['10.0.0.1'], certificateFingerprint: 'abc' }], { logger })).toThrow(/SHA-256/);
});

test('two peers may share an AE title from different hosts', () => {
  const registry = new PeerRegistry(
    [
      { name: 'us-room-1', aet: 'STORESCU', hosts: ['10.5.0.1'] },
      { name: 'us-room-2', aet: 'STORESCU', hosts: ['10.5.0.2'] },
    ],
    { logger },
  );
  expect(registry.identify('STORESCU', '10.5.0.2')).toMatchObject({ kind: 'registered', peer: { name: 'us-room-2' } });
  expect(registry.identify('STORESCU', '10.5.0.3')).toMatchObject({ kind: 'unregistered-address' });
});
