import type { PrismaClient } from '../generated/client.js';

export interface ClientRecord {
  id: string;
  name: string;
  secretHash: string | null;
  grantTypes: string[];
  scopes: string[];
  tokenEndpointAuthMethod: string;
  firstParty: boolean;
  /** May call RFC 7662 introspection (a resource server). */
  introspection: boolean;
}

/** An enabled client, or null: a disabled client authenticates like an unknown one. */
export async function findEnabledClient(prisma: PrismaClient, id: string): Promise<ClientRecord | null> {
  return prisma.client.findFirst({
    where: { id, disabled: false },
    select: {
      id: true,
      name: true,
      secretHash: true,
      grantTypes: true,
      scopes: true,
      tokenEndpointAuthMethod: true,
      firstParty: true,
      introspection: true,
    },
  });
}
