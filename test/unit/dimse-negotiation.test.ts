/** Association and presentation context policy (PS3.8 9.3.4, PS3.4 B.5): the peer registry, limits, certificates. */
import { SopClass } from '../../src/dicom/uids';
import { decideAssociation, negotiateContext, STORAGE_SOP_CLASSES, type AssociationDecision, type AssociationRequestFacts } from '../../src/ingest/dimse/negotiation';
import { checkPeerCertificate, normaliseFingerprint, PeerRegistry } from '../../src/ingest/dimse/peers';
import { silentLogger } from '../../src/logging/logger';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const PACS = { name: 'pacs', aet: 'PACS', hosts: ['10.1.2.3'] };
const ENDO = { name: 'endo-1', aet: 'ENDO1', hosts: ['10.2.0.0/16'], maxAssociations: 1 };
const PINNED = { name: 'remote-pacs', aet: 'RPACS', hosts: ['192.0.2.0/24'], certificateFingerprint: 'AB:'.repeat(31) + 'AB' };
const registry = new PeerRegistry([PACS, ENDO, PINNED], { logger: silentLogger });
const policy = { aet: 'GASTRIC_AI', acceptUnknownPeers: false, maxAssociations: 2, minFreeDiskMb: 100 };

/** The facts of a request from `callingAet` at `address`, identified by the registry (no host names here). */
function request(callingAet: string, address: string, more: Partial<AssociationRequestFacts> = {}): AssociationRequestFacts {
  return { callingAet, calledAet: 'GASTRIC_AI', identity: registry.identify(callingAet, address), certificateFingerprint: null, activeAssociations: 0, peerAssociations: 0, freeDiskMb: 1000, ...more };
}
const pick = (d: AssociationDecision): unknown => (d.accept ? ['accept', d.peer?.name ?? null] : [d.why, d.result, d.source, d.reason]);

describe('negotiateContext', () => {
  test('accepts every storage class we need, SEG and SR included', () => {
    for (const uid of [CT, '1.2.840.10008.5.1.4.1.1.128', '1.2.840.10008.5.1.4.1.1.77.1.1', '1.2.840.10008.5.1.4.1.1.7', '1.2.840.10008.5.1.4.1.1.66.4', '1.2.840.10008.5.1.4.1.1.88.33', '1.2.840.10008.5.1.4.1.1.88.22']) {
      expect(STORAGE_SOP_CLASSES.has(uid)).toBe(true);
    }
  });

  test('picks the first proposed syntax we support (the requestor orders by preference)', () => {
    expect(negotiateContext(CT, ['1.2.840.10008.1.2.4.100', '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.1'])).toEqual({ accept: true, transferSyntaxUid: '1.2.840.10008.1.2.4.50' });
    expect(negotiateContext(CT, ['1.2.840.10008.1.2.4.100'])).toEqual({ accept: false, reason: 'transfer-syntaxes-not-supported' });
  });

  test('verification only in uncompressed little endian; unknown classes are refused', () => {
    expect(negotiateContext(SopClass.Verification, ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2'])).toEqual({ accept: true, transferSyntaxUid: '1.2.840.10008.1.2' });
    expect(negotiateContext('1.2.840.10008.5.1.4.1.2.2.1', ['1.2.840.10008.1.2'])).toEqual({ accept: false, reason: 'abstract-syntax-not-supported' });
  });
});

describe('decideAssociation', () => {
  test('accepts a registered peer from one of its hosts (AE padding is not significant)', () => {
    expect(pick(decideAssociation(request('PACS', '10.1.2.3', { calledAet: ' GASTRIC_AI' }), policy))).toEqual(['accept', 'pacs']);
    expect(pick(decideAssociation(request('ENDO1 ', '10.2.200.7'), policy))).toEqual(['accept', 'endo-1']);
    // An IPv4 peer of a dual-stack listener arrives as an IPv4-mapped IPv6 address.
    expect(pick(decideAssociation(request('PACS', '::ffff:10.1.2.3'), policy))).toEqual(['accept', 'pacs']);
  });

  test('rejects unknown AE titles and registered ones from other addresses, both as "calling AE not recognized"', () => {
    expect(pick(decideAssociation(request('INTRUDER', '10.1.2.3'), policy))).toEqual(['calling-ae-not-registered', 1, 1, 3]);
    expect(pick(decideAssociation(request('pacs', '10.1.2.3'), policy))).toEqual(['calling-ae-not-registered', 1, 1, 3]);
    expect(pick(decideAssociation(request('PACS', '10.1.2.4'), policy))).toEqual(['address-not-registered', 1, 1, 3]);
    expect(pick(decideAssociation(request('ENDO1', '10.3.0.1'), policy))).toEqual(['address-not-registered', 1, 1, 3]);
    expect(pick(decideAssociation(request('PACS', 'not an address'), policy))).toEqual(['address-not-registered', 1, 1, 3]);
  });

  test('acceptUnknownPeers lets unregistered titles in from anywhere, but registered titles stay bound to their hosts', () => {
    const open = { ...policy, acceptUnknownPeers: true };
    expect(pick(decideAssociation(request('ANYONE', '203.0.113.9'), open))).toEqual(['accept', null]);
    expect(pick(decideAssociation(request('PACS', '203.0.113.9'), open))).toEqual(['address-not-registered', 1, 1, 3]);
  });

  test('a pinned peer needs its certificate: plain TCP (null) and another certificate are rejected', () => {
    const fingerprint = 'ab'.repeat(32);
    expect(pick(decideAssociation(request('RPACS', '192.0.2.10', { certificateFingerprint: `${'AB:'.repeat(31)}AB` }), policy))).toEqual(['accept', 'remote-pacs']);
    expect(pick(decideAssociation(request('RPACS', '192.0.2.10', { certificateFingerprint: fingerprint }), policy))).toEqual(['accept', 'remote-pacs']);
    expect(pick(decideAssociation(request('RPACS', '192.0.2.10'), policy))).toEqual(['certificate-missing', 1, 1, 3]);
    expect(pick(decideAssociation(request('RPACS', '192.0.2.10', { certificateFingerprint: 'cd'.repeat(32) }), policy))).toEqual(['certificate-mismatch', 1, 1, 3]);
    // Unpinned peers accept whatever came (plain TCP or any certificate the TLS layer trusted).
    expect(pick(decideAssociation(request('PACS', '10.1.2.3', { certificateFingerprint: fingerprint }), policy))).toEqual(['accept', 'pacs']);
  });

  test('limits: the global one and the per-peer one are transient, local limit exceeded; low disk is congestion', () => {
    expect(pick(decideAssociation(request('PACS', '10.1.2.3', { calledAet: 'OTHER' }), policy))).toEqual(['called-ae-not-ours', 1, 1, 7]);
    expect(pick(decideAssociation(request('PACS', '10.1.2.3', { activeAssociations: 2 }), policy))).toEqual(['too-many-associations', 2, 3, 2]);
    expect(pick(decideAssociation(request('ENDO1', '10.2.0.1', { activeAssociations: 1, peerAssociations: 1 }), policy))).toEqual(['too-many-peer-associations', 2, 3, 2]);
    // PACS has no limit of its own: only the global one counts.
    expect(pick(decideAssociation(request('PACS', '10.1.2.3', { activeAssociations: 1, peerAssociations: 1 }), policy))).toEqual(['accept', 'pacs']);
    expect(pick(decideAssociation(request('PACS', '10.1.2.3', { freeDiskMb: 99 }), policy))).toEqual(['low-disk', 2, 3, 1]);
    // An unknown peer learns nothing about our load: it is refused permanently first.
    expect(pick(decideAssociation(request('INTRUDER', '10.1.2.3', { activeAssociations: 2 }), policy))).toEqual(['calling-ae-not-registered', 1, 1, 3]);
  });
});

describe('checkPeerCertificate', () => {
  test('compares SHA-256 fingerprints in any common spelling', () => {
    const hex = '0123456789abcdef'.repeat(4);
    const colons = hex.toUpperCase().match(/../g)!.join(':');
    expect(checkPeerCertificate({ ...PACS, certificateFingerprint: colons }, hex)).toBe('matches');
    expect(checkPeerCertificate({ ...PACS, certificateFingerprint: `sha256:${hex}` }, colons)).toBe('matches');
    expect(checkPeerCertificate({ ...PACS, certificateFingerprint: hex }, null)).toBe('missing');
    expect(checkPeerCertificate({ ...PACS, certificateFingerprint: hex }, 'garbage')).toBe('mismatch');
    expect(checkPeerCertificate(PACS, null)).toBe('not-pinned');
    expect(normaliseFingerprint('AB:CD')).toBeNull();
  });
});
