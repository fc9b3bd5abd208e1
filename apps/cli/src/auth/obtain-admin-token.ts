import { AuthError } from '../cli-errors.js';
import { type AdminAuthorization, discoverAdminAuthorization } from './discover-admin-authorization.js';
import { type ClientCredentials, type IssuedToken, requestClientToken } from './request-client-token.js';
import type { TransportPolicy } from './transport-policy.js';

export interface ObtainedToken extends IssuedToken {
  authorization: AdminAuthorization;
}

/** Where the client secret went at login; a renewal sends it nowhere else. */
export interface PinnedAuthorization {
  issuer: string;
  tokenEndpoint: string;
}

/**
 * Discovery, then client_credentials: the whole way from an admin URL and a client to an admin token. With
 * `pinned` (an automatic renewal), discovery must name the issuer and token endpoint seen at login: the
 * metadata is unauthenticated, and an unattended renewal must not follow it to a new place with the secret.
 */
export async function obtainAdminToken(
  adminUrl: string,
  credentials: ClientCredentials,
  options: {
    issuerUrl: string | undefined;
    timeoutMs: number;
    now: Date;
    transport: TransportPolicy;
    pinned?: PinnedAuthorization | undefined;
  },
): Promise<ObtainedToken> {
  const authorization = await discoverAdminAuthorization(adminUrl, options);
  if (options.pinned) checkPinned(authorization, options.pinned);
  const token = await requestClientToken(
    authorization.tokenEndpoint,
    credentials,
    { scope: authorization.scope, resource: authorization.resource },
    options.timeoutMs,
    options.now,
  );
  return { ...token, authorization };
}

function checkPinned(found: AdminAuthorization, pinned: PinnedAuthorization): void {
  const changed =
    found.issuer !== pinned.issuer
      ? `issuer ${found.issuer}, not ${pinned.issuer}`
      : found.tokenEndpoint !== pinned.tokenEndpoint
        ? `token endpoint ${found.tokenEndpoint}, not ${pinned.tokenEndpoint}`
        : null;
  if (changed === null) return;
  throw new AuthError(`discovery now names ${changed} as at login; the client secret was not sent`, [
    '  if the authorization server really moved, run `portcullis login` again',
  ]);
}
