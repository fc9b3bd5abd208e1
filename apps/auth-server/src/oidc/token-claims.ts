import { getClientAuthorizations, getUserAuthorizations, type PrismaClient } from '@portcullis/db';

interface IssuedToken {
  kind: string;
  accountId?: string;
  clientId?: string;
  grantId?: string;
}

/**
 * Claims added to every JWT access token (DESIGN "Grants and tokens"): roles and permissions computed at
 * issue time — the user's for user tokens, the client's for client_credentials — and for user tokens the
 * grant id, so that revoking a grant reaches the access tokens issued under it.
 */
export function createTokenClaims(prisma: PrismaClient) {
  return async function extraTokenClaims(_ctx: unknown, token: IssuedToken) {
    if (token.kind === 'ClientCredentials' && token.clientId) {
      return { ...(await getClientAuthorizations(prisma, token.clientId)) };
    }
    if (token.accountId) {
      return { ...(await getUserAuthorizations(prisma, token.accountId)), grant_id: token.grantId };
    }
    return undefined;
  };
}
