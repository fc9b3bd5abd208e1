import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export type SigningAlg = 'ES256' | 'EdDSA' | 'PS256';

export interface GeneratedSigningKey {
  kid: string;
  alg: SigningAlg;
  publicJwk: JWK;
  privateJwk: JWK;
}

/** A fresh asymmetric key pair; the kid is its RFC 7638 thumbprint, so it is stable and collision-free. */
export async function generateSigningKey(alg: SigningAlg): Promise<GeneratedSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'PS256' ? { modulusLength: 3072 } : {}),
  });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const common = { kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    publicJwk: { ...publicJwk, ...common },
    privateJwk: { ...(await exportJWK(privateKey)), ...common },
  };
}

/**
 * AES-256-GCM under the key-encryption key, with the kid as additional data so a ciphertext cannot be
 * moved to another row. Format: base64url(iv).base64url(ciphertext).base64url(tag).
 */
export function encryptPrivateJwk(privateJwk: JWK, kid: string, keyEncryptionKey: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyEncryptionKey, iv).setAAD(Buffer.from(kid, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(privateJwk), 'utf8'), cipher.final()]);
  return [iv, ciphertext, cipher.getAuthTag()].map((part) => part.toString('base64url')).join('.');
}

export class KeyDecryptionError extends Error {
  constructor(kid: string) {
    super(`signing key ${kid} cannot be decrypted: wrong KEY_ENCRYPTION_KEY or tampered row`);
    this.name = 'KeyDecryptionError';
  }
}

export function decryptPrivateJwk(sealed: string, kid: string, keyEncryptionKey: Buffer): JWK {
  const [iv, ciphertext, tag] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !ciphertext || !tag) throw new KeyDecryptionError(kid);
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyEncryptionKey, iv).setAAD(Buffer.from(kid, 'utf8'));
    decipher.setAuthTag(tag);
    return JSON.parse(Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8')) as JWK;
  } catch {
    throw new KeyDecryptionError(kid);
  }
}
