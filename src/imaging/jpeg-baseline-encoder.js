"use strict";
/**
 * Baseline sequential DCT JPEG encoder (ITU-T T.81 process 1: 8-bit samples, Huffman coding,
 * Annex K example tables) producing YCbCr 4:2:2 — i.e. what DICOM transfer syntax
 * 1.2.840.10008.1.2.4.50 with PhotometricInterpretation YBR_FULL_422 expects.
 *
 * Frame layout: Y sampled H=2,V=1, Cb/Cr H=1,V=1, so one interleaved MCU covers 16x8 pixels and
 * holds Y(left), Y(right), Cb, Cr blocks (T.81 A.2.3). No APP0/JFIF segment is written.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.encodeJpegBaseline422 = encodeJpegBaseline422;
/** Zig-zag scan order: zigzag position -> natural (row-major) index in an 8x8 block (T.81 Figure A.6). */
const ZIGZAG = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6,
    7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31,
    39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];
/** Example quantization tables, natural order (T.81 Annex K.1, Tables K.1 and K.2). */
const LUMA_QUANT = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17,
    22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78,
    87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_QUANT = [
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66,
    99, 99, 99, 99, 99, 99, ...new Array(32).fill(99),
];
/** Parses a hex string into bytes (keeps the Annex K Huffman value lists compact). */
function hex(s) {
    const out = [];
    for (let i = 0; i < s.length; i += 2)
        out.push(parseInt(s.slice(i, i + 2), 16));
    return out;
}
/** Typical Huffman tables (T.81 Annex K.3, Tables K.3-K.6). */
const DC_LUMA = { bits: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], vals: hex('000102030405060708090a0b') };
const DC_CHROMA = { bits: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], vals: hex('000102030405060708090a0b') };
const AC_LUMA = {
    bits: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
    vals: hex('01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435' +
        '363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a9293949596979899' +
        '9aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6' +
        'f7f8f9fa'),
};
const AC_CHROMA = {
    bits: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
    vals: hex('000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a' +
        '35363738393a434445464748494a535455565758595a636465666768696a737475767778797a82838485868788898a929394959697' +
        '98999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6' +
        'f7f8f9fa'),
};
/** Derives the code table from BITS/HUFFVAL (T.81 Annex C, Figures C.1-C.3). */
function buildCodes(spec) {
    const code = new Uint16Array(256);
    const size = new Uint8Array(256);
    let next = 0;
    let k = 0;
    for (let len = 1; len <= 16; len++) {
        for (let i = 0; i < spec.bits[len - 1]; i++) {
            code[spec.vals[k]] = next++;
            size[spec.vals[k]] = len;
            k++;
        }
        next <<= 1;
    }
    return { code, size };
}
/** Scales an Annex K table the way libjpeg does (jpeg_quality_scaling), clamped to 1..255 for baseline. */
function scaleQuant(base, quality) {
    const scale = quality < 50 ? Math.floor(5000 / quality) : 200 - quality * 2;
    const out = new Uint8Array(64);
    for (let i = 0; i < 64; i++)
        out[i] = Math.min(255, Math.max(1, Math.floor((base[i] * scale + 50) / 100)));
    return out;
}
/** DCT basis M[u*8+x] = C(u)/2 * cos((2x+1)u*pi/16), so F = M f M^T is the FDCT of T.81 A.3.3. */
const DCT_MATRIX = (() => {
    const m = new Float64Array(64);
    for (let u = 0; u < 8; u++) {
        const c = u === 0 ? Math.SQRT1_2 : 1;
        for (let x = 0; x < 8; x++)
            m[u * 8 + x] = (c / 2) * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
    }
    return m;
})();
/** Growable byte sink with an MSB-first bit accumulator and 0xFF byte stuffing (T.81 F.1.2.3, B.1.1.5). */
class ByteSink {
    buf;
    pos = 0;
    acc = 0;
    nbits = 0;
    constructor(capacity) {
        this.buf = new Uint8Array(Math.max(1024, capacity));
    }
    ensure(extra) {
        if (this.pos + extra <= this.buf.length)
            return;
        const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + extra));
        grown.set(this.buf.subarray(0, this.pos));
        this.buf = grown;
    }
    byte(b) {
        this.ensure(1);
        this.buf[this.pos++] = b;
    }
    u16(v) {
        this.byte((v >>> 8) & 0xff);
        this.byte(v & 0xff);
    }
    bytes(list) {
        for (let i = 0; i < list.length; i++)
            this.byte(list[i]);
    }
    /** Appends the low `n` (<= 16) bits of `value` to the entropy-coded segment. */
    bits(value, n) {
        this.acc = (this.acc << n) | (value & ((1 << n) - 1));
        this.nbits += n;
        while (this.nbits >= 8) {
            const b = (this.acc >>> (this.nbits - 8)) & 0xff;
            this.byte(b);
            if (b === 0xff)
                this.byte(0x00);
            this.nbits -= 8;
        }
        this.acc &= (1 << this.nbits) - 1;
    }
    /** Pads the final partial byte with 1-bits (T.81 F.1.2.3). */
    flushBits() {
        if (this.nbits > 0)
            this.bits(0x7f, 8 - this.nbits);
    }
    result() {
        return this.buf.slice(0, this.pos);
    }
}
/** Number of bits needed for |v| — the SSSS category of T.81 F.1.2.1/F.1.2.2 (Tables F.1, F.2). */
function category(v) {
    return 32 - Math.clz32(v < 0 ? -v : v);
}
/**
 * Forward DCT + quantization of one 8x8 level-shifted block, read from `plane` (row stride `stride`)
 * at (x0, y0). Writes quantized coefficients in zig-zag order to `out`.
 */
function fdctQuantize(plane, stride, x0, y0, recipQ, tmp, out) {
    const m = DCT_MATRIX;
    // Rows: tmp[y][u] = sum_x M[u][x] * f[y][x]
    for (let y = 0; y < 8; y++) {
        const base = (y0 + y) * stride + x0;
        const f0 = plane[base], f1 = plane[base + 1], f2 = plane[base + 2], f3 = plane[base + 3];
        const f4 = plane[base + 4], f5 = plane[base + 5], f6 = plane[base + 6], f7 = plane[base + 7];
        for (let u = 0; u < 8; u++) {
            const r = u * 8;
            tmp[y * 8 + u] = m[r] * f0 + m[r + 1] * f1 + m[r + 2] * f2 + m[r + 3] * f3 +
                m[r + 4] * f4 + m[r + 5] * f5 + m[r + 6] * f6 + m[r + 7] * f7;
        }
    }
    // Columns: F[v][u] = sum_y M[v][y] * tmp[y][u]; then quantize (T.81 A.3.4) with symmetric rounding.
    for (let u = 0; u < 8; u++) {
        const t0 = tmp[u], t1 = tmp[8 + u], t2 = tmp[16 + u], t3 = tmp[24 + u];
        const t4 = tmp[32 + u], t5 = tmp[40 + u], t6 = tmp[48 + u], t7 = tmp[56 + u];
        for (let v = 0; v < 8; v++) {
            const r = v * 8;
            const idx = r + u;
            const c = (m[r] * t0 + m[r + 1] * t1 + m[r + 2] * t2 + m[r + 3] * t3 +
                m[r + 4] * t4 + m[r + 5] * t5 + m[r + 6] * t6 + m[r + 7] * t7) * recipQ[idx];
            tmp[64 + idx] = c < 0 ? -Math.floor(0.5 - c) : Math.floor(c + 0.5);
        }
    }
    for (let k = 0; k < 64; k++)
        out[k] = tmp[64 + ZIGZAG[k]];
}
/** Huffman-codes one block (T.81 F.1.2.1 DC difference, F.1.2.2 AC run/size with ZRL and EOB). Returns the new DC predictor. */
function encodeBlock(sink, zz, pred, dc, ac) {
    const diff = Math.max(-2047, Math.min(2047, zz[0] - pred));
    const s = category(diff);
    sink.bits(dc.code[s], dc.size[s]);
    if (s > 0)
        sink.bits(diff < 0 ? diff - 1 : diff, s);
    let run = 0;
    for (let k = 1; k < 64; k++) {
        const v = Math.max(-1023, Math.min(1023, zz[k]));
        if (v === 0) {
            run++;
            continue;
        }
        while (run > 15) {
            sink.bits(ac.code[0xf0], ac.size[0xf0]); // ZRL: 16 zeros
            run -= 16;
        }
        const sz = category(v);
        const sym = (run << 4) | sz;
        sink.bits(ac.code[sym], ac.size[sym]);
        sink.bits(v < 0 ? v - 1 : v, sz);
        run = 0;
    }
    if (run > 0)
        sink.bits(ac.code[0x00], ac.size[0x00]); // EOB
    return pred + diff; // equals zz[0] unless clamped (never for 8-bit input); keeps decoder in sync
}
/**
 * Encodes interleaved 8-bit RGB (row-major, 3 bytes per pixel) as a baseline JPEG with YCbCr 4:2:2
 * subsampling. `quality` (1..100) scales the Annex K quantization tables like libjpeg.
 * Output: SOI, DQT, SOF0, DHT, SOS, entropy-coded data, EOI (no APPn). Deterministic.
 */
function encodeJpegBaseline422(rgb, width, height, quality = 90) {
    for (const [name, v] of [['width', width], ['height', height]]) {
        if (!Number.isInteger(v) || v < 1 || v > 65535)
            throw new RangeError(`JPEG ${name} must be an integer in 1..65535, got ${v}`);
    }
    if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
        throw new RangeError(`JPEG quality must be an integer in 1..100, got ${quality}`);
    }
    // Length check only (no instanceof: Buffers from another realm, e.g. under jest, are still fine).
    if (rgb == null || rgb.length !== width * height * 3) {
        throw new RangeError(`RGB buffer length must be width*height*3 = ${width * height * 3}, got ${rgb?.length}`);
    }
    // Padded planes (edge replication, T.81 A.2.4 leaves padding content to the encoder).
    const mcuX = Math.ceil(width / 16);
    const mcuY = Math.ceil(height / 8);
    const pw = mcuX * 16;
    const ph = mcuY * 8;
    const cw = pw / 2;
    const yPlane = new Float32Array(pw * ph);
    const cbPlane = new Float32Array(cw * ph);
    const crPlane = new Float32Array(cw * ph);
    for (let y = 0; y < ph; y++) {
        const rowBase = Math.min(y, height - 1) * width;
        for (let cx = 0; cx < cw; cx++) {
            let cb = 0;
            let cr = 0;
            for (let d = 0; d < 2; d++) {
                const x = 2 * cx + d;
                const p = (rowBase + Math.min(x, width - 1)) * 3;
                const r = rgb[p], g = rgb[p + 1], b = rgb[p + 2];
                // JFIF full-range YCbCr, level-shifted by -128 (T.81 A.3.1).
                yPlane[y * pw + x] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
                cb += -0.168736 * r - 0.331264 * g + 0.5 * b;
                cr += 0.5 * r - 0.418688 * g - 0.081312 * b;
            }
            cbPlane[y * cw + cx] = cb / 2; // average of the two horizontal neighbours; +128 offset cancels the level shift
            crPlane[y * cw + cx] = cr / 2;
        }
    }
    const qLuma = scaleQuant(LUMA_QUANT, quality);
    const qChroma = scaleQuant(CHROMA_QUANT, quality);
    const recipLuma = new Float64Array(64);
    const recipChroma = new Float64Array(64);
    for (let i = 0; i < 64; i++) {
        recipLuma[i] = 1 / qLuma[i];
        recipChroma[i] = 1 / qChroma[i];
    }
    const sink = new ByteSink(Math.ceil(width * height * 0.5) + 1024);
    sink.u16(0xffd8); // SOI
    // DQT (B.2.4.1): Pq=0 (8-bit), tables 0 and 1, values in zig-zag order.
    sink.u16(0xffdb);
    sink.u16(2 + 2 * 65);
    for (const [id, q] of [[0, qLuma], [1, qChroma]]) {
        sink.byte(id);
        for (let k = 0; k < 64; k++)
            sink.byte(q[ZIGZAG[k]]);
    }
    // SOF0 (B.2.2): P=8, Y, X, Nf=3; (Ci, HiVi, Tqi).
    sink.u16(0xffc0);
    sink.u16(8 + 3 * 3);
    sink.byte(8);
    sink.u16(height);
    sink.u16(width);
    sink.byte(3);
    sink.bytes([1, 0x21, 0, 2, 0x11, 1, 3, 0x11, 1]);
    // DHT (B.2.4.2): Tc/Th = DC0, AC0, DC1, AC1.
    const tables = [[0x00, DC_LUMA], [0x10, AC_LUMA], [0x01, DC_CHROMA], [0x11, AC_CHROMA]];
    sink.u16(0xffc4);
    sink.u16(2 + tables.reduce((n, [, t]) => n + 17 + t.vals.length, 0));
    for (const [tcth, t] of tables) {
        sink.byte(tcth);
        sink.bytes(t.bits);
        sink.bytes(t.vals);
    }
    // SOS (B.2.3): Ns=3, (Cs, TdTa), Ss=0, Se=63, Ah/Al=0.
    sink.u16(0xffda);
    sink.u16(6 + 2 * 3);
    sink.bytes([3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
    const dcL = buildCodes(DC_LUMA), acL = buildCodes(AC_LUMA);
    const dcC = buildCodes(DC_CHROMA), acC = buildCodes(AC_CHROMA);
    const tmp = new Float64Array(128);
    const zz = new Int16Array(64);
    let predY = 0, predCb = 0, predCr = 0;
    // Interleaved MCUs in raster order (T.81 A.2.3): Y(x), Y(x+8), Cb, Cr.
    for (let my = 0; my < mcuY; my++) {
        const y0 = my * 8;
        for (let mx = 0; mx < mcuX; mx++) {
            fdctQuantize(yPlane, pw, mx * 16, y0, recipLuma, tmp, zz);
            predY = encodeBlock(sink, zz, predY, dcL, acL);
            fdctQuantize(yPlane, pw, mx * 16 + 8, y0, recipLuma, tmp, zz);
            predY = encodeBlock(sink, zz, predY, dcL, acL);
            fdctQuantize(cbPlane, cw, mx * 8, y0, recipChroma, tmp, zz);
            predCb = encodeBlock(sink, zz, predCb, dcC, acC);
            fdctQuantize(crPlane, cw, mx * 8, y0, recipChroma, tmp, zz);
            predCr = encodeBlock(sink, zz, predCr, dcC, acC);
        }
    }
    sink.flushBits();
    sink.u16(0xffd9); // EOI
    return sink.result();
}
