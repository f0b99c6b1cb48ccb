/**
 * Static bearer tokens, stored hashed: the configuration holds the SHA-256 of each token (tokens are long random
 * strings, so a fast hash is enough; no salt or KDF is needed against a 256-bit secret), or the path of a file with
 * the plain token, read once at start. Every entry is compared, in constant time, on every request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'crypto';
import { readFileSync } from 'fs';
import { ApiRole, Principal } from './roles';

export type TokenEntry = { name: string; roles: ApiRole[]; sha256: string } | { name: string; roles: ApiRole[]; tokenFile: string };

/** Shorter tokens are refused in files: they could be guessed. */
export const MIN_TOKEN_LENGTH = 32;

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** A new token: 32 random bytes, base64url (43 characters), with a prefix that makes it recognisable in a leak scan. */
export function generateToken(): string {
  return `gai_${randomBytes(32).toString('base64url')}`;
}

/** A token file's content without its final newline (what `echo` and most editors add). */
export function readTokenFile(file: string, key: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${key}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const token = text.replace(/\r?\n$/, '');
  if (token.length < MIN_TOKEN_LENGTH) throw new Error(`${key}: the token in ${file} is shorter than ${MIN_TOKEN_LENGTH} characters`);
  return token;
}

interface HashedToken {
  name: string;
  roles: readonly ApiRole[];
  hash: Buffer;
}

export class TokenRegistry {
  private readonly tokens: HashedToken[];

  constructor(entries: readonly TokenEntry[]) {
    this.tokens = entries.map((e, i) => ({
      name: e.name,
      roles: e.roles,
      hash: Buffer.from('sha256' in e ? e.sha256.toLowerCase() : sha256Hex(readTokenFile(e.tokenFile, `api.auth.tokens.${i}.tokenFile`)), 'hex'),
    }));
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The principal whose token this is, or null. Compares with every entry, so timing says nothing of which. */
  verify(token: string): Principal | null {
    const hash = createHash('sha256').update(token, 'utf8').digest();
    let found: HashedToken | null = null;
    for (const t of this.tokens) if (timingSafeEqual(t.hash, hash) && !found) found = t;
    return found ? { name: found.name, roles: found.roles, via: 'token' } : null;
  }
}
