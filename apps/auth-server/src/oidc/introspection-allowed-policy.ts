import type { PrismaClient } from '@portcullis/db';
import { isRefreshTokenRevoked } from '../revocations/is-refresh-token-revoked.js';
import { clientMayIntrospect } from './client-metadata.js';

interface IntrospectedToken {
  kind: string;
  clientId?: string | undefined;
  accountId?: string | undefined;
  grantId?: string | undefined;
  iat: number;
}

/**
 * oidc-provider's `features.introspection.allowedPolicy`, called for a stored token that is still valid (a
 * refresh token: our access tokens are JWTs, introspected by introspect-jwt-access-tokens.ts). `false` makes
 * the answer `{ active: false }`.
 *
 * A client not allowed to introspect is refused before this matters (introspection-for-allowed-clients.ts);
 * refusing it here too means the provider's answer never carries token data for it. An allowed client (a
 * resource server) may introspect any of our tokens: that is its job. A refresh token is inactive when a
 * revocation record in force names its grant, user or client.
 */
export function createIntrospectionAllowedPolicy(prisma: PrismaClient) {
  return async function introspectionAllowedPolicy(
    _ctx: unknown,
    client: { metadata(): Record<string, unknown> },
    token: IntrospectedToken,
  ): Promise<boolean> {
    if (!clientMayIntrospect(client)) return false;
    if (token.kind !== 'RefreshToken') return true;
    const { grantId, accountId, clientId } = token;
    if (!grantId || !accountId || !clientId) return false;
    const revoked = await isRefreshTokenRevoked(
      prisma,
      { grantId, accountId, clientId, issuedAt: new Date(token.iat * 1000) },
      new Date(),
    );
    return !revoked;
  };
}
