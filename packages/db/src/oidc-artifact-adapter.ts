import type { Prisma, PrismaClient } from './generated/client.js';

/** What oidc-provider stores through an adapter (its `AdapterPayload`, kept structural here). */
export type ArtifactPayload = Record<string, unknown> & {
  grantId?: string;
  userCode?: string;
  uid?: string;
  consumed?: unknown;
};

/** oidc-provider's Adapter contract (https://github.com/panva/node-oidc-provider/blob/main/example/my_adapter.js). */
export interface OidcAdapter {
  upsert(id: string, payload: ArtifactPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<ArtifactPayload | undefined>;
  findByUserCode(userCode: string): Promise<ArtifactPayload | undefined>;
  findByUid(uid: string): Promise<ArtifactPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

/** Loads client metadata for oidc-provider's `Client` model; clients live in their own table. */
export type ClientMetadataLoader = (clientId: string) => Promise<ArtifactPayload | undefined>;

/**
 * Builds the adapter class oidc-provider instantiates once per model name. Grants, refresh tokens and the
 * other artifacts share one table keyed by (model, id); `Client` is read from the clients table instead.
 */
export function createOidcAdapterClass(
  prisma: PrismaClient,
  loadClient: ClientMetadataLoader,
): new (
  model: string,
) => OidcAdapter {
  const findOne = async (where: Prisma.OidcArtifactWhereInput): Promise<ArtifactPayload | undefined> => {
    const row = await prisma.oidcArtifact.findFirst({ where });
    if (!row) return undefined;
    const payload = row.payload as ArtifactPayload;
    // oidc-provider reads `consumed` (epoch seconds) to detect refresh-token reuse.
    return row.consumedAt ? { ...payload, consumed: Math.floor(row.consumedAt.getTime() / 1000) } : payload;
  };

  return class PostgresOidcAdapter implements OidcAdapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: ArtifactPayload, expiresIn?: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      const columns = {
        payload: payload as Prisma.InputJsonValue,
        grantId: payload.grantId ?? null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expiresAt,
      };
      await prisma.oidcArtifact.upsert({
        where: { model_id: { model: this.model, id } },
        create: { model: this.model, id, ...columns },
        update: columns,
      });
    }

    async find(id: string): Promise<ArtifactPayload | undefined> {
      if (this.model === 'Client') return loadClient(id);
      return findOne({ model: this.model, id });
    }

    async findByUserCode(userCode: string): Promise<ArtifactPayload | undefined> {
      return findOne({ model: this.model, userCode });
    }

    async findByUid(uid: string): Promise<ArtifactPayload | undefined> {
      return findOne({ model: this.model, uid });
    }

    async consume(id: string): Promise<void> {
      await prisma.oidcArtifact.updateMany({
        where: { model: this.model, id, consumedAt: null },
        data: { consumedAt: new Date() },
      });
    }

    async destroy(id: string): Promise<void> {
      await prisma.oidcArtifact.deleteMany({ where: { model: this.model, id } });
    }

    /** Every artifact of the grant goes, whatever its model (oidc-provider calls this per model; one is enough). */
    async revokeByGrantId(grantId: string): Promise<void> {
      await prisma.oidcArtifact.deleteMany({ where: { grantId } });
    }
  };
}

/** Housekeeping: artifacts past their expiry can never be used again. Returns how many rows went. */
export async function deleteExpiredArtifacts(prisma: PrismaClient, now = new Date()): Promise<number> {
  const { count } = await prisma.oidcArtifact.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}
