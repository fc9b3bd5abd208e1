import { cleartextWarning } from './cleartext-warning.js';
import { type AdminAuthorization, discoverAdminAuthorization } from './discover-admin-authorization.js';
import { type ClientCredentials, type IssuedToken, requestClientToken } from './request-client-token.js';

export interface ObtainedToken extends IssuedToken {
  authorization: AdminAuthorization;
}

/** Discovery, then client_credentials: the whole way from an admin URL and a client to an admin token. */
export async function obtainAdminToken(
  adminUrl: string,
  credentials: ClientCredentials,
  options: { issuerUrl: string | undefined; timeoutMs: number; now: Date; warn: (line: string) => void },
): Promise<ObtainedToken> {
  const authorization = await discoverAdminAuthorization(adminUrl, options.issuerUrl, options.timeoutMs);
  const warning = cleartextWarning(authorization.tokenEndpoint);
  if (warning) options.warn(warning);
  const token = await requestClientToken(
    authorization.tokenEndpoint,
    credentials,
    { scope: authorization.scope, resource: authorization.resource },
    options.timeoutMs,
    options.now,
  );
  return { ...token, authorization };
}
