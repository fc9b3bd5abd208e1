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
