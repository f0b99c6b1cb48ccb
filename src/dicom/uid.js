"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.IMPLEMENTATION_VERSION_NAME = exports.IMPLEMENTATION_CLASS_UID = void 0;
exports.deterministicUid = deterministicUid;
exports.randomUid = randomUid;
exports.isValidUid = isValidUid;
/**
 * UIDs. Derived UIDs use the 2.25 root (PS3.5 B.2: a UUID as one integer): the first 128 bits of a SHA-256 over
 * the parts, so the same inputs always give the same UID (reruns replace rather than duplicate) and no registered
 * org root is needed.
 */
const crypto_1 = require("crypto");
const fromBytes = (bytes) => {
    const b = Buffer.from(bytes.subarray(0, 16));
    // Mark it as a version-8 (custom) UUID, variant 10, so it is a well-formed RFC 9562 UUID.
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    return `2.25.${BigInt(`0x${b.toString('hex')}`).toString(10)}`;
};
function deterministicUid(...parts) {
    const hash = (0, crypto_1.createHash)('sha256');
    for (const p of parts)
        hash.update(`${String(p).length}:${String(p)}|`);
    return fromBytes(hash.digest());
}
function randomUid() {
    return fromBytes((0, crypto_1.randomBytes)(16));
}
/** PS3.5 9.1: components of digits without leading zeros, dot-separated, at most 64 characters. */
function isValidUid(uid) {
    return uid.length <= 64 && /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/.test(uid);
}
/** Our implementation identity in every file meta header. */
exports.IMPLEMENTATION_CLASS_UID = deterministicUid('gastric-ai-node', 'implementation');
exports.IMPLEMENTATION_VERSION_NAME = 'GASTRIC_AI_0_1';
