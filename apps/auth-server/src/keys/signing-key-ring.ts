import {
  applySigningKeyTransitions,
  insertSigningKey,
  listPublishedSigningKeys,
  type PrismaClient,
  type SigningKeyRecord,
} from '@portcullis/db';
import type { JWK } from 'jose';
import { planKeySchedule } from './key-schedule.js';
import {
  decryptPrivateJwk,
  encryptPrivateJwk,
  generateSigningKey,
  type SigningAlg,
} from './signing-key-material.js';

export interface KeyRingOptions {
  keyEncryptionKey: Buffer;
  signingAlg: SigningAlg;
  longestTokenLifetimeSeconds: number;
}

/** What the provider is built from: private JWKs of every published key, and the one that signs. */
export interface KeyRing {
  signingKid: string;
  signingAlg: string;
  privateJwks: JWK[];
  /** Changes whenever the provider must be rebuilt (a key appeared, left, or took over signing). */
  fingerprint: string;
}

async function createKey(
  prisma: PrismaClient,
  options: KeyRingOptions,
  activatesAt: Date,
  status: 'pending' | 'active',
) {
  const key = await generateSigningKey(options.signingAlg);
  return insertSigningKey(prisma, {
    kid: key.kid,
    alg: key.alg,
    publicJwk: key.publicJwk as Record<string, unknown>,
    privateJwkEncrypted: encryptPrivateJwk(key.privateJwk, key.kid, options.keyEncryptionKey),
    activatesAt,
    status,
  });
}

/**
 * Loads the key ring, persisting the schedule's transitions. On the very first start there is no key and no
 * verifier has cached anything, so a key is created that signs at once.
 */
export async function loadKeyRing(
  prisma: PrismaClient,
  options: KeyRingOptions,
  now = new Date(),
): Promise<KeyRing> {
  let keys = await listPublishedSigningKeys(prisma, now);
  let schedule = planKeySchedule(keys, now, options.longestTokenLifetimeSeconds);
  if (!schedule.signingKid) {
    await createKey(prisma, options, now, 'active');
    keys = await listPublishedSigningKeys(prisma, now);
    schedule = planKeySchedule(keys, now, options.longestTokenLifetimeSeconds);
  }
  await applySigningKeyTransitions(prisma, schedule.transitions);

  const published = keys.filter((key) => schedule.publishedKids.includes(key.kid));
  const signer = published.find((key) => key.kid === schedule.signingKid) as SigningKeyRecord;
  return {
    signingKid: signer.kid,
    signingAlg: signer.alg,
    privateJwks: published.map((key) =>
      decryptPrivateJwk(key.privateJwkEncrypted, key.kid, options.keyEncryptionKey),
    ),
    fingerprint: `${signer.kid}|${published.map((key) => key.kid).join(',')}`,
  };
}

/**
 * Adds a key that is published now and signs after `activationDelaySeconds`, long enough for every
 * verifier's JWKS cache to have fetched it. The current key keeps signing until then.
 */
export async function rotateSigningKey(
  prisma: PrismaClient,
  options: KeyRingOptions & { activationDelaySeconds: number },
  now = new Date(),
): Promise<{ kid: string; activatesAt: Date }> {
  const activatesAt = new Date(now.getTime() + options.activationDelaySeconds * 1000);
  const key = await createKey(prisma, options, activatesAt, 'pending');
  return { kid: key.kid, activatesAt };
}
