import { z } from 'zod';
import { AuthError } from '../cli-errors.js';
import { sendRequest } from '../http/send-request.js';
import type { TransportPolicy } from './transport-policy.js';

/** What the CLI needs to get an admin token, learnt from the admin URL alone. */
export interface AdminAuthorization {
  /** Resource indicator (RFC 8707) = the admin token's audience. */
  resource: string;
  issuer: string;
  /** Space-separated scopes to ask for. */
  scope: string;
  tokenEndpoint: string;
}

const protectedResourceMetadata = z.looseObject({
  resource: z.string().min(1),
  authorization_servers: z.array(z.url({ protocol: /^https?$/ })).min(1),
  scopes_supported: z.array(z.string().min(1)).optional(),
});

const authorizationServerMetadata = z.looseObject({
  issuer: z.string().min(1),
  token_endpoint: z.url({ protocol: /^https?$/ }),
});

/** Portcullis' admin tokens need this scope; asked for when the metadata does not list scopes. */
const ADMIN_SCOPE = 'admin';

/**
 * RFC 9728 protected resource metadata of the admin listener, then the issuer's discovery document for its
 * token endpoint. `issuerUrl` overrides where the issuer is fetched from (a CLI inside the cluster network,
 * a proxy) but the document must still name the advertised issuer (RFC 8414 §3.3), so a wrong override
 * cannot silently swap authorization servers.
 *
 * The admin resource identifier is not the admin URL, so the RFC 9728 §3.3 check (resource == the URL the
 * metadata came from) does not apply here; the admin URL is whatever the operator typed.
 *
 * Both documents are unauthenticated and decide where the client secret goes, so every URL fetched or named
 * must pass the transport policy, and the token endpoint must sit on the origin the discovery document came
 * from: a document that points the secret at another host is refused, not followed.
 */
export async function discoverAdminAuthorization(
  adminUrl: string,
  options: { issuerUrl: string | undefined; timeoutMs: number; transport: TransportPolicy },
): Promise<AdminAuthorization> {
  const { issuerUrl, timeoutMs, transport } = options;
  transport.check(adminUrl, 'the admin API');
  const metadataUrl = `${adminUrl}/.well-known/oauth-protected-resource`;
  const resourceAnswer = await sendRequest(
    metadataUrl,
    { headers: { accept: 'application/json' } },
    timeoutMs,
  );
  const resourceMetadata = protectedResourceMetadata.safeParse(resourceAnswer.json);
  if (resourceAnswer.status !== 200 || !resourceMetadata.success) {
    throw new AuthError(`${adminUrl} does not look like a Portcullis admin API`, [
      `  GET ${metadataUrl} answered ${resourceAnswer.status} without RFC 9728 metadata;`,
      '  check --admin-url / PORTCULLIS_ADMIN_URL (the admin listener, default port 4100)',
    ]);
  }
  const { resource, authorization_servers: servers, scopes_supported: scopes } = resourceMetadata.data;
  const issuer = (servers[0] ?? '').replace(/\/+$/, '');
  // OpenID Connect Discovery §4 appends to the issuer (path included); Portcullis serves it and the RFC 8414
  // document with the same content.
  const issuerLocation = issuerUrl ?? issuer;
  transport.check(issuerLocation, 'the issuer');
  const discoveryUrl = `${issuerLocation}/.well-known/openid-configuration`;
  const discoveryAnswer = await sendRequest(
    discoveryUrl,
    { headers: { accept: 'application/json' } },
    timeoutMs,
  );
  const discovery = authorizationServerMetadata.safeParse(discoveryAnswer.json);
  if (discoveryAnswer.status !== 200 || !discovery.success) {
    throw new AuthError(
      `no authorization server metadata at ${discoveryUrl} (HTTP ${discoveryAnswer.status})`,
    );
  }
  if (discovery.data.issuer.replace(/\/+$/, '') !== issuer) {
    throw new AuthError(`${discoveryUrl} describes issuer ${discovery.data.issuer}, not ${issuer}`, [
      '  the admin API trusts only its own issuer; check --issuer-url / PORTCULLIS_ISSUER_URL',
    ]);
  }
  const tokenEndpoint = discovery.data.token_endpoint;
  if (new URL(tokenEndpoint).origin !== new URL(issuerLocation).origin) {
    throw new AuthError(`${discoveryUrl} names a token endpoint on another origin: ${tokenEndpoint}`, [
      `  the client secret is only sent to ${new URL(issuerLocation).origin}; check the issuer's configuration`,
    ]);
  }
  transport.check(tokenEndpoint, 'the token endpoint');
  return {
    resource,
    issuer,
    scope: scopes && scopes.length > 0 ? scopes.join(' ') : ADMIN_SCOPE,
    tokenEndpoint,
  };
}
