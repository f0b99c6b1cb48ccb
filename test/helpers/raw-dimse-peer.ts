/**
 * A minimal DICOM upper-layer peer (PS3.8 9.3) that sends data set bytes exactly as given: storescu parses files
 * before sending and skips most broken ones, so the refusal tests use this to put malformed bytes on the wire.
 */
import { connect, type Socket } from 'net';
import { AET } from './dimse-listener';

const evenPad = (s: string, pad: string): Buffer => Buffer.from(s.length % 2 ? s + pad : s, 'latin1');
const item = (type: number, body: Buffer): Buffer => {
  const head = Buffer.alloc(4);
  head.writeUInt8(type, 0);
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([head, body]);
};
export const pdu = (type: number, body: Buffer): Buffer => {
  const head = Buffer.alloc(6);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(body.length, 2);
  return Buffer.concat([head, body]);
};

export function associateRq(calling: string, called: string, contexts: Array<{ id: number; abstract: string; syntaxes: string[] }>): Buffer {
  const fixed = Buffer.alloc(68);
  fixed.writeUInt16BE(1, 0);
  fixed.write(called.padEnd(16), 4, 'latin1');
  fixed.write(calling.padEnd(16), 20, 'latin1');
  const pcs = contexts.map((c) =>
    item(0x20, Buffer.concat([Buffer.from([c.id, 0, 0, 0]), item(0x30, Buffer.from(c.abstract)), ...c.syntaxes.map((ts) => item(0x40, Buffer.from(ts)))])),
  );
  const maxLength = Buffer.alloc(4);
  maxLength.writeUInt32BE(65536, 0);
  const userInfo = item(0x50, Buffer.concat([item(0x51, maxLength), item(0x52, Buffer.from('1.2.3.4'))]));
  return pdu(0x01, Buffer.concat([fixed, item(0x10, Buffer.from('1.2.840.10008.3.1.1.1')), ...pcs, userInfo]));
}

/** Implicit VR little endian command set (PS3.7 E.1) with its group length. */
export function commandSet(elements: Array<[number, 'UI' | 'US', string | number]>): Buffer {
  const encoded = elements.map(([el, vr, value]) => {
    const v = vr === 'US' ? Buffer.from([Number(value) & 0xff, Number(value) >> 8]) : evenPad(String(value), '\0');
    const head = Buffer.alloc(8);
    head.writeUInt16LE(0x0000, 0);
    head.writeUInt16LE(el, 2);
    head.writeUInt32LE(v.length, 4);
    return Buffer.concat([head, v]);
  });
  const body = Buffer.concat(encoded);
  const group = Buffer.alloc(12);
  group.writeUInt32LE(4, 4);
  group.writeUInt32LE(body.length, 8);
  return Buffer.concat([group, body]);
}

export const pdv = (pcId: number, header: number, value: Buffer): Buffer => {
  const head = Buffer.alloc(6);
  head.writeUInt32BE(value.length + 2, 0);
  head.writeUInt8(pcId, 4);
  head.writeUInt8(header, 5);
  return pdu(0x04, Buffer.concat([head, value]));
};

/** Status (0000,0900) of a DIMSE response in one P-DATA-TF PDU; null when the connection closed instead. */
function responseStatus(answer: Buffer | null): number | null {
  if (!answer || answer.readUInt8(0) !== 0x04) return null;
  const cmd = answer.subarray(12);
  for (let at = 0; at + 8 <= cmd.length; ) {
    const element = cmd.readUInt16LE(at + 2);
    const length = cmd.readUInt32LE(at + 4);
    if (element === 0x0900) return cmd.readUInt16LE(at + 8);
    at += 8 + length;
  }
  return null;
}

export class RawPeer {
  private buffered = Buffer.alloc(0);
  private readonly pdus: Buffer[] = [];
  private waiting: ((p: Buffer | null) => void) | null = null;
  private ended = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      while (this.buffered.length >= 6 && this.buffered.length >= 6 + this.buffered.readUInt32BE(2)) {
        const length = 6 + this.buffered.readUInt32BE(2);
        this.pdus.push(this.buffered.subarray(0, length));
        this.buffered = this.buffered.subarray(length);
      }
      this.flush();
    });
    socket.on('close', () => {
      this.ended = true;
      this.flush();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new RawPeer(socket)));
      socket.once('error', reject);
    });
  }

  private flush(): void {
    if (!this.waiting) return;
    const next = this.pdus.shift();
    if (next || this.ended) {
      const w = this.waiting;
      this.waiting = null;
      w(next ?? null);
    }
  }

  next(): Promise<Buffer | null> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.flush();
    });
  }

  /** Sends an A-ASSOCIATE-RQ; returns the A-ASSOCIATE-AC/RJ PDU. */
  async associate(calling: string, contexts: Array<{ id: number; abstract: string; syntaxes: string[] }>, called = AET): Promise<Buffer> {
    this.socket.write(associateRq(calling, called, contexts));
    const answer = await this.next();
    if (!answer) throw new Error('connection closed before an association answer');
    return answer;
  }

  /** C-STORE with the given bytes as the data set; returns the response status (null if the connection closed). */
  async store(pcId: number, sopClassUid: string, sopInstanceUid: string, dataset: Buffer): Promise<number | null> {
    const command = commandSet([[0x0002, 'UI', sopClassUid], [0x0100, 'US', 0x0001], [0x0110, 'US', 1], [0x0700, 'US', 0], [0x0800, 'US', 0x0000], [0x1000, 'UI', sopInstanceUid]]);
    this.socket.write(pdv(pcId, 0x03, command));
    for (let at = 0; at < dataset.length || at === 0; at += 16000) {
      const last = at + 16000 >= dataset.length;
      this.socket.write(pdv(pcId, last ? 0x02 : 0x00, dataset.subarray(at, at + 16000)));
      if (last) break;
    }
    return responseStatus(await this.next());
  }

  /** C-ECHO on presentation context `pcId` (Verification); returns the response status (null if the connection closed). */
  async echo(pcId: number, messageId = 1): Promise<number | null> {
    this.socket.write(pdv(pcId, 0x03, commandSet([[0x0002, 'UI', '1.2.840.10008.1.1'], [0x0100, 'US', 0x0030], [0x0110, 'US', messageId], [0x0800, 'US', 0x0101]])));
    return responseStatus(await this.next());
  }

  async release(): Promise<void> {
    this.socket.write(pdu(0x05, Buffer.alloc(4)));
    await this.next();
    this.socket.destroy();
  }
}

/** A-ASSOCIATE-RJ fields (PS3.8 9.3.4), or 'accepted'. */
export const outcome = (answer: Buffer): string => (answer.readUInt8(0) === 0x02 ? 'accepted' : `rejected result=${answer.readUInt8(7)} source=${answer.readUInt8(8)} reason=${answer.readUInt8(9)}`);

/** Result byte of presentation context `id` in an A-ASSOCIATE-AC (0 = acceptance). */
export function contextResult(ac: Buffer, id: number): number {
  for (let at = 6 + 68; at + 4 <= ac.length; at += 4 + ac.readUInt16BE(at + 2)) {
    if (ac.readUInt8(at) === 0x21 && ac.readUInt8(at + 4) === id) return ac.readUInt8(at + 6);
  }
  return -1;
}
