import { KeyObject } from 'node:crypto';
import { InvalidTokenError } from '../errors.js';
import type { ImportedSigningKey, JwksKeyStore, VerificationKeyStore } from '../jwks/jwks-key-store.js';
import { checkProtectedHeader } from './check-protected-header.js';
import { decodeJsonSegment } from './decode-json-segment.js';
import { verifyJwsSignature } from './verify-jws-signature.js';

/** Options of {@link verifyCompactJws}. */
export interface VerifyCompactJwsOptions {
  /** The issuer's keys: `verifier.keys` of the service's access-token verifier. */
  keys: JwksKeyStore;
  /** The accepted `alg` values, as the access-token verifier was configured. */
  algorithms: readonly string[];
  /** Refuse anything longer than this many characters before parsing it (`too_large`). */
  maxLength: number;
}

/** A compact JWS whose signature verified: its protected header and its claim set, not yet checked. */
export interface VerifiedCompactJws {
  header: Readonly<Record<string, unknown>> & { alg: string; kid: string };
  claims: Record<string, unknown>;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The signature half of access-token verification, for other JWS the same issuer signs with the same keys
 * (API key records, issue 8): shape and size, the protected-header checks (`alg` in the allowlist, no
 * key-carrying parameter, no `crit`), the key by `kid` from the JWKS cache (an unknown kid refetches once
 * per cooldown; `unknown_key` or, while the JWKS is unreachable, GuardUnavailableError), then the signature
 * with node:crypto. `typ` and the claims are the caller's to check: they are what tells one kind of JWS
 * from another. Throws InvalidTokenError / GuardUnavailableError like `verifier.verify`.
 *
 * @example
 * const { header, claims } = await verifyCompactJws(record, { keys: verifier.keys, algorithms: ['ES256'], maxLength: 8192 });
 * if (header.typ !== 'apikey-record+jwt') throw new InvalidTokenError('wrong_type');
 */
export async function verifyCompactJws(
  jws: string,
  options: VerifyCompactJwsOptions,
): Promise<VerifiedCompactJws> {
  if (typeof jws !== 'string') throw new InvalidTokenError('malformed');
  if (jws.length > options.maxLength) throw new InvalidTokenError('too_large');
  if (!COMPACT_JWS.test(jws)) throw new InvalidTokenError('malformed');
  const headerEnd = jws.indexOf('.');
  const payloadEnd = jws.indexOf('.', headerEnd + 1);
  const header = decodeJsonSegment(jws.slice(0, headerEnd));
  checkProtectedHeader(header, options.algorithms);
  const { kid } = header;
  if (typeof kid !== 'string' || kid === '') throw new InvalidTokenError('unknown_key');
  const key = await verificationKey(options.keys, { alg: header.alg, kid });
  verifyJwsSignature(header.alg, key, jws.slice(0, payloadEnd), jws.slice(payloadEnd + 1));
  return {
    header: { ...header, alg: header.alg, kid },
    claims: decodeJsonSegment(jws.slice(headerEnd + 1, payloadEnd)),
  };
}

/**
 * The store of createAccessTokenVerifier hands out node:crypto keys directly; any other JwksKeyStore (the
 * public jose-resolver shape) gives a CryptoKey, converted here.
 */
async function verificationKey(
  keys: JwksKeyStore,
  header: { alg: string; kid: string },
): Promise<ImportedSigningKey> {
  const internal = keys as Partial<VerificationKeyStore>;
  if (typeof internal.getVerificationKey === 'function') return internal.getVerificationKey(header);
  const cryptoKey = await keys.getKey(header);
  const keyObject = KeyObject.from(cryptoKey);
  return { cryptoKey, keyObject, modulusBits: keyObject.asymmetricKeyDetails?.modulusLength, generation: 0 };
}
