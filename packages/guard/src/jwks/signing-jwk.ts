import { type CryptoKey, importJWK, type JWK } from 'jose';
import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from '../verifier-options.js';

/**
 * The key type each accepted JWS algorithm needs (RFC 7518 §3.1, RFC 8037 §3.1). A Map rather than an object
 * literal: header.alg is attacker-controlled, and `'toString' in {}` is true.
 */
// Typed by AsymmetricAlgorithm so this table and the verifier's allowlist cannot drift apart.
const keyTypes: Record<AsymmetricAlgorithm, { kty: 'EC' | 'OKP' | 'RSA'; crv?: string }> = {
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  Ed25519: { kty: 'OKP', crv: 'Ed25519' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
};
const keyTypeByAlgorithm: ReadonlyMap<string, { kty: 'EC' | 'OKP' | 'RSA'; crv?: string }> = new Map(
  ASYMMETRIC_ALGORITHMS.map((alg) => [alg, keyTypes[alg]]),
);

/** Asymmetric JWS algorithms a JWKS key store can verify with. HS* and `none` are deliberately absent. */
export const supportedSigningAlgorithms: readonly string[] = Object.freeze([...keyTypeByAlgorithm.keys()]);

/**
 * Members that only a private or symmetric JWK carries (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 9964 `priv`).
 * An auth server that publishes one of these has leaked a secret: such an entry is dropped, never imported,
 * so a misconfigured JWKS cannot turn into a key we hold or sign with.
 */
const secretMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;

/** A JWKS entry reduced to the public members a verifier needs, plus `kid` and the optional `alg` pin. */
export type PublicSigningJwk =
  | {
      readonly kid: string;
      readonly alg?: string;
      readonly kty: 'EC';
      readonly crv: string;
      readonly x: string;
      readonly y: string;
    }
  | {
      readonly kid: string;
      readonly alg?: string;
      readonly kty: 'OKP';
      readonly crv: string;
      readonly x: string;
    }
  | {
      readonly kid: string;
      readonly alg?: string;
      readonly kty: 'RSA';
      readonly n: string;
      readonly e: string;
    };

/**
 * Checks one untrusted JWKS entry and keeps it only if it can ever verify one of our tokens: it has a `kid`,
 * `use` is absent or `sig` (RFC 7517 §4.2), `key_ops` is absent or includes `verify` (§4.3), `alg` is absent
 * or a supported asymmetric JWS algorithm, its type is EC, OKP or RSA with the public members present, and
 * it carries no private member. Returns undefined for anything else.
 */
export function toPublicSigningJwk(entry: unknown): PublicSigningJwk | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined;
  const jwk = entry as Record<string, unknown>;
  if (secretMembers.some((member) => member in jwk)) return undefined;
  const { kid, alg, use, key_ops: keyOps } = jwk;
  // Our tokens always name their key; a kid-less entry could only be matched by guessing.
  if (typeof kid !== 'string' || kid === '') return undefined;
  if (use !== undefined && use !== 'sig') return undefined;
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes('verify'))) return undefined;
  if (alg !== undefined && !(typeof alg === 'string' && keyTypeByAlgorithm.has(alg))) return undefined;
  const pin = alg === undefined ? {} : { alg };
  switch (jwk.kty) {
    case 'EC': {
      const { crv, x, y } = jwk;
      if (typeof crv !== 'string' || typeof x !== 'string' || typeof y !== 'string') return undefined;
      return { kid, ...pin, kty: 'EC', crv, x, y };
    }
    case 'OKP': {
      const { crv, x } = jwk;
      if (typeof crv !== 'string' || typeof x !== 'string') return undefined;
      return { kid, ...pin, kty: 'OKP', crv, x };
    }
    case 'RSA': {
      const { n, e } = jwk;
      if (typeof n !== 'string' || typeof e !== 'string') return undefined;
      return { kid, ...pin, kty: 'RSA', n, e };
    }
    default:
      return undefined;
  }
}

/** Whether `jwk` may verify a signature made with `alg`: its `alg` pin (if any) agrees and its type fits. */
export function jwkFitsAlgorithm(jwk: PublicSigningJwk, alg: string): boolean {
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  const required = keyTypeByAlgorithm.get(alg);
  if (required === undefined || required.kty !== jwk.kty) return false;
  return required.crv === undefined || ('crv' in jwk && jwk.crv === required.crv);
}

/**
 * The key a token with this header must be verified with, or undefined. A JWKS should not list two usable
 * keys under one kid; if it does, the first wins, as its order is the auth server's preference.
 */
export function selectSigningJwk(
  keys: readonly PublicSigningJwk[],
  kid: string,
  alg: string,
): PublicSigningJwk | undefined {
  return keys.find((jwk) => jwk.kid === kid && jwkFitsAlgorithm(jwk, alg));
}

/**
 * Imports a checked public JWK for `alg` with jose. Only the key material is passed on: `key_ops` or `use`
 * would otherwise reach WebCrypto's importKey, which rejects a public key listed with `sign`.
 */
export async function importSigningKey(jwk: PublicSigningJwk, alg: string): Promise<CryptoKey> {
  let material: JWK;
  switch (jwk.kty) {
    case 'EC':
      material = { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
      break;
    case 'OKP':
      material = { kty: 'OKP', crv: jwk.crv, x: jwk.x };
      break;
    case 'RSA':
      material = { kty: 'RSA', n: jwk.n, e: jwk.e };
      break;
  }
  const key = await importJWK(material, alg);
  // Unreachable for these key types (only "oct" yields bytes); narrows jose's union type.
  if (key instanceof Uint8Array) throw new TypeError('expected an asymmetric key');
  return key;
}
