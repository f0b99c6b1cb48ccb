/**
 * Enforces our maximum PDU length on what peers send. dcmjs-dimse buffers a whole PDU before parsing it and never
 * checks its length, so one header announcing 4 GiB would make it allocate without bound. This tracks PDU
 * boundaries on the raw byte stream (PS3.8 9.3.1: type, reserved, 32-bit big-endian length) and reports a violation.
 * It also counts complete PDUs, the unit of progress for the idle timeout (association-timers.ts).
 */
const P_DATA_TF = 0x04;
/** A-ASSOCIATE-RQ carries many presentation contexts and is not bound by the negotiated maximum (PS3.8 D.1). */
const MAX_CONTROL_PDU_LENGTH = 1 << 20;
const PDU_HEADER_LENGTH = 6;

export class PduLengthGuard {
  private header = Buffer.alloc(0);
  private remainingBody = 0;
  private completePdus = 0;

  constructor(private readonly maxPduLength: number) {}

  /** PDUs received in full so far. */
  get completed(): number {
    return this.completePdus;
  }

  /** Feeds received bytes; returns a reason when a PDU is longer than allowed, otherwise null. */
  check(data: Buffer): string | null {
    let offset = 0;
    while (offset < data.length) {
      if (this.remainingBody > 0) {
        const take = Math.min(this.remainingBody, data.length - offset);
        this.remainingBody -= take;
        offset += take;
        if (this.remainingBody === 0) this.completePdus += 1;
        continue;
      }
      const need = PDU_HEADER_LENGTH - this.header.length;
      this.header = Buffer.concat([this.header, data.subarray(offset, offset + need)]);
      offset += Math.min(need, data.length - offset);
      if (this.header.length < PDU_HEADER_LENGTH) return null;
      const type = this.header.readUInt8(0);
      const length = this.header.readUInt32BE(2);
      this.header = Buffer.alloc(0);
      // P-DATA-TF may exceed the advertised maximum by nothing: the limit counts the PDU's variable field.
      const limit = type === P_DATA_TF ? this.maxPduLength : MAX_CONTROL_PDU_LENGTH;
      if (length > limit) return `PDU type ${type} of ${length} bytes exceeds the limit of ${limit}`;
      this.remainingBody = length;
      if (length === 0) this.completePdus += 1;
    }
    return null;
  }
}
