import type { Prisma, PrismaClient, SigningKey } from '../generated/client.js';

export type SigningKeyRecord = SigningKey;

export interface NewSigningKey {
  kid: string;
  alg: string;
  publicJwk: Record<string, unknown>;
  privateJwkEncrypted: string;
  activatesAt: Date;
  status: 'pending' | 'active';
}

/** Every key still published (not past its retiresAt), oldest first. */
export async function listPublishedSigningKeys(prisma: PrismaClient, now: Date): Promise<SigningKeyRecord[]> {
  return prisma.signingKey.findMany({
    where: { OR: [{ retiresAt: null }, { retiresAt: { gt: now } }] },
    orderBy: [{ activatesAt: 'asc' }, { createdAt: 'asc' }],
  });
}

export async function insertSigningKey(prisma: PrismaClient, key: NewSigningKey): Promise<SigningKeyRecord> {
  return prisma.signingKey.create({ data: { ...key, publicJwk: key.publicJwk as Prisma.InputJsonValue } });
}

export interface SigningKeyTransition {
  kid: string;
  status: 'active' | 'retired';
  supersededAt?: Date;
  retiresAt?: Date;
}

/** Persists the states derived by the key schedule, in one transaction. */
export async function applySigningKeyTransitions(
  prisma: PrismaClient,
  transitions: SigningKeyTransition[],
): Promise<void> {
  if (transitions.length === 0) return;
  await prisma.$transaction(
    transitions.map(({ kid, ...data }) => prisma.signingKey.update({ where: { kid }, data })),
  );
}

/** One key by kid, published or not. */
export async function findSigningKey(prisma: PrismaClient, kid: string): Promise<SigningKeyRecord | null> {
  return prisma.signingKey.findUnique({ where: { kid } });
}

/**
 * Takes a key out of JWKS at `now` (retiresAt = now), touching it only if it cannot be signing: already
 * superseded (status retired) or not yet activated. The condition is in the UPDATE itself, so a key that
 * started signing since the caller looked is left alone. Null when no such published key qualified.
 */
export async function retireSigningKey(
  prisma: PrismaClient,
  kid: string,
  now: Date,
): Promise<SigningKeyRecord | null> {
  const { count } = await prisma.signingKey.updateMany({
    where: {
      kid,
      OR: [{ status: 'retired' }, { activatesAt: { gt: now } }],
      AND: [{ OR: [{ retiresAt: null }, { retiresAt: { gt: now } }] }],
    },
    data: { status: 'retired', retiresAt: now },
  });
  return count === 0 ? null : prisma.signingKey.findUnique({ where: { kid } });
}
