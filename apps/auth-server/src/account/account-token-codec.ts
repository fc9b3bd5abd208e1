import { createHmac, hkdfSync, randomBytes } from 'node:crypto';

/** The HKDF label of the token-id key: a new label (or version) makes every stored token unreachable. */
const ACCOUNT_TOKEN_ID_KEY_INFO = 'portcullis account-token id v1';
const TOKEN_BYTES = 32;
/** 32 bytes in base64url, unpadded. */
export const ACCOUNT_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface IssuedAccountToken {
  /** Goes into the email, nowhere else: never stored, never logged. */
  token: string;
  /** What is stored (AccountToken.id): an HMAC of the token. */
  id: string;
}

export interface AccountTokenCodec {
  issue(): IssuedAccountToken;
  /** The stored id of a presented token. */
  idOf(token: string): string;
}

/**
 * Emailed account tokens (verification, password reset): 32 random bytes, base64url, stored as an
 * HMAC-SHA-256 (hex) under a key derived from CLIENT_SECRET_PEPPER with its own HKDF label, as the login
 * lockout derives its own (credentials/login-lockout.ts). A database dump then yields no usable link, and an
 * unkeyed hash is not needed to be safe against guessing (256 random bits) — the key protects against a
 * read of the table being enough to forge a lookup.
 *
 * @example
 * const codec = createAccountTokenCodec(config.clientSecretPepper);
 * const { token, id } = codec.issue(); // email `token`, store `id`
 */
export function createAccountTokenCodec(secret: Uint8Array): AccountTokenCodec {
  if (!(secret instanceof Uint8Array) || secret.byteLength < 32) {
    throw new TypeError('createAccountTokenCodec: secret must be at least 32 bytes');
  }
  const idKey = Buffer.from(hkdfSync('sha256', secret, new Uint8Array(0), ACCOUNT_TOKEN_ID_KEY_INFO, 32));
  const idOf = (token: string) => createHmac('sha256', idKey).update(token, 'utf8').digest('hex');
  return {
    issue() {
      const token = randomBytes(TOKEN_BYTES).toString('base64url');
      return { token, id: idOf(token) };
    },
    idOf,
  };
}
