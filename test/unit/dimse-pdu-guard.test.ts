/** PDU length enforcement on the raw byte stream (PS3.8 9.3.1). */
import { PduLengthGuard } from '../../src/ingest/dimse/pdu-guard';

const pdu = (type: number, length: number): Buffer => {
  const b = Buffer.alloc(6 + length);
  b.writeUInt8(type, 0);
  b.writeUInt32BE(length, 2);
  return b;
};

describe('PduLengthGuard', () => {
  test('passes PDUs within the limit, however the bytes are split', () => {
    const guard = new PduLengthGuard(16384);
    const stream = Buffer.concat([pdu(0x01, 30000), pdu(0x04, 16384), pdu(0x04, 10), pdu(0x05, 4)]);
    for (let at = 0; at < stream.length; at += 7) expect(guard.check(stream.subarray(at, at + 7))).toBeNull();
  });

  test('reports a P-DATA-TF longer than the limit, even when its header arrives in pieces', () => {
    const guard = new PduLengthGuard(16384);
    const header = pdu(0x04, 16385).subarray(0, 6);
    expect(guard.check(header.subarray(0, 3))).toBeNull();
    expect(guard.check(header.subarray(3))).toMatch(/exceeds the limit of 16384/);
  });

  test('bounds other PDUs (A-ASSOCIATE-RQ) at 1 MiB', () => {
    expect(new PduLengthGuard(16384).check(pdu(0x01, 2 << 20).subarray(0, 6))).toMatch(/PDU type 1/);
  });

  test('counts complete PDUs (the unit of progress of the idle timeout), not bytes', () => {
    const guard = new PduLengthGuard(16384);
    const stream = Buffer.concat([pdu(0x01, 300), pdu(0x04, 100), pdu(0x05, 0)]);
    const counts: number[] = [];
    for (let at = 0; at < stream.length; at += 50) {
      guard.check(stream.subarray(at, at + 50));
      counts.push(guard.completed);
    }
    // The 306-byte A-ASSOCIATE-RQ completes in the seventh 50-byte chunk, not before.
    expect(counts[5]).toBe(0);
    expect(counts[6]).toBe(1);
    expect(guard.completed).toBe(3);
    // A huge announced PDU fed a byte at a time never completes.
    const trickle = new PduLengthGuard(16384);
    const header = pdu(0x04, 16000).subarray(0, 6);
    for (const byte of [...header, 1, 2, 3]) trickle.check(Buffer.from([byte]));
    expect(trickle.completed).toBe(0);
  });
});

