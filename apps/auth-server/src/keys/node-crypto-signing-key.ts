import {
  constants,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  type SignKeyObjectInput,
  sign,
} from 'node:crypto';
import type { JWK } from 'jose';
import { ExternalSigningKey } from 'oidc-provider';
import type { SigningAlg } from './signing-key-material.js';

type SignSettings = { digest: string | null; options: Omit<SignKeyObjectInput, 'key'> };

/** RFC 7518 §3.4 (ES256: raw r||s), §3.5 (PS256: salt as long as the hash), RFC 8037 (EdDSA: no pre-hash). */
const SIGN_SETTINGS: Record<SigningAlg, SignSettings> = {
  ES256: { digest: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  EdDSA: { digest: null, options: {} },
  PS256: { digest: 'sha256', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } },
};

/**
 * One of our signing keys as oidc-provider's ExternalSigningKey (features.externalSigningSupport), signing
 * with `node:crypto.sign` on a private KeyObject made once. jose signs through WebCrypto, which runs on the
 * libuv thread pool: ES256 ~4x slower than this per signature (STACK-NOTES), and queued behind argon2 —
 * client_credentials throughput fell ~90% under a password flood. This signs synchronously on the event
 * loop (~40 µs for ES256), never waiting for the pool.
 *
 * oidc-provider publishes JWKS from `kty`/`crv`/`x`/`y`/`n`/`e` (read from `keyObject()`, the public key)
 * and `kid`/`alg`/`use`: the same members it publishes for the private JWK.
 */
export class NodeCryptoSigningKey extends ExternalSigningKey {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #settings: SignSettings;
  #kid: string;
  #alg: SigningAlg;

  constructor(privateJwk: JWK) {
    super();
    const alg = privateJwk.alg;
    if (!isSigningAlg(alg)) throw new TypeError(`NodeCryptoSigningKey: unsupported alg ${String(alg)}`);
    if (typeof privateJwk.kid !== 'string' || privateJwk.kid === '') {
      throw new TypeError('NodeCryptoSigningKey: the JWK needs a kid');
    }
    this.#kid = privateJwk.kid;
    this.#alg = alg;
    this.#settings = SIGN_SETTINGS[alg];
    this.#privateKey = createPrivateKey({ key: privateJwk as JsonWebKeyInput['key'], format: 'jwk' });
    this.#publicKey = createPublicKey(this.#privateKey);
  }

  override get kid(): string {
    return this.#kid;
  }

  /** oidc-provider assigns kid and alg back when it normalises a key; the values are the same. */
  override set kid(value: string) {
    this.#kid = value;
  }

  override get alg(): SigningAlg {
    return this.#alg;
  }

  override set alg(value: SigningAlg) {
    this.#alg = value;
  }

  override keyObject(): KeyObject {
    return this.#publicKey;
  }

  override sign(data: Uint8Array): Buffer {
    return sign(this.#settings.digest, data, { key: this.#privateKey, ...this.#settings.options });
  }
}

function isSigningAlg(alg: unknown): alg is SigningAlg {
  return typeof alg === 'string' && Object.hasOwn(SIGN_SETTINGS, alg);
}

type JsonWebKeyInput = Extract<Parameters<typeof createPrivateKey>[0], { format: 'jwk' }>;

/**
 * The provider's `jwks.keys`: every published key of the ring as a synchronous signer.
 *
 * @example
 * const provider = new Provider(issuer, { jwks: { keys: toSigningKeys(keyRing.privateJwks) }, ... });
 */
export function toSigningKeys(privateJwks: readonly JWK[]): NodeCryptoSigningKey[] {
  return privateJwks.map((jwk) => new NodeCryptoSigningKey(jwk));
}
