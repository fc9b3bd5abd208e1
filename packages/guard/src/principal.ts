import type { JWTPayload } from 'jose';

/**
 * Who is calling, as proven by a verified access token. Put on `ctx.state.principal` by the Koa guard.
 *
 * @example
 * if (principal.kind === 'user') audit(principal.subject);
 */
export interface Principal {
  /** `user` when the token was issued to a person (password/refresh grants), `client` for client_credentials. */
  kind: 'user' | 'client';
  /** `sub`: the user id, or the client id for client_credentials tokens. */
  subject: string;
  /** `client_id`: the OAuth client the token was issued to. */
  clientId: string;
  /** The granted scopes (`scope`, split on spaces). */
  scopes: readonly string[];
  roles: readonly string[];
  /** The union of direct and role-derived permissions, computed when the token was issued. */
  permissions: readonly string[];
  /** `jti`: the token id, the key revocation works on. */
  tokenId: string;
  /** `grant_id` for user tokens: revoking the grant (refresh-token family) reaches its access tokens. */
  grantId: string | undefined;
  /** `kid` of the key that signed the token. */
  keyId: string;
  /** `iat` and `exp`, epoch seconds. */
  issuedAt: number;
  expiresAt: number;
  /** Every claim as verified, for claims this type does not name. */
  claims: Readonly<JWTPayload>;
  /**
   * What the caller presented: an access token (`Authorization: Bearer`) or an API key (`X-API-Key`, whose
   * `tokenId` is the key id). Optional so principals built elsewhere stay valid; unset means access token.
   */
  credential?: 'access_token' | 'api_key';
}
