import type { ArtifactPayload, ClientRecord } from '@portcullis/db';

/** Client metadata of ours that oidc-provider carries (`extraClientMetadata`) besides the RFC 7591 members. */
export const extraClientProperties = ['first_party', 'introspection_allowed'];

/**
 * Maps a stored client to oidc-provider client metadata. `client_secret` carries the stored HMAC, never a
 * plaintext secret; `compareClientSecret` (create-provider.ts) hashes what the client presents.
 * Only back-channel grants are enabled, so no redirect URIs or response types.
 */
export function toClientMetadata(client: ClientRecord): ArtifactPayload | undefined {
  if (!client.secretHash) return undefined; // public clients are not supported by any enabled grant
  return {
    client_id: client.id,
    client_name: client.name,
    client_secret: client.secretHash,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    grant_types: client.grantTypes,
    scope: allowedScope(client.scopes),
    redirect_uris: [],
    response_types: [],
    first_party: client.firstParty,
    introspection_allowed: client.introspection,
  };
}

/**
 * The client's scope allow-list in oidc-provider's terms. It reads an absent `scope` as "any scope" and
 * refuses an empty one, so a client allowed no scope (a resource server's client that only introspects, a
 * service that relies on roles alone) is given `offline_access`: the one scope that grants nothing here —
 * refresh tokens come from the grant type, and every access token's scope is cut to its audience's.
 */
function allowedScope(scopes: readonly string[]): string {
  return scopes.length > 0 ? scopes.join(' ') : 'offline_access';
}

/** Whether an oidc-provider client may call RFC 7662 introspection (a resource server's client). */
export function clientMayIntrospect(client: { metadata(): Record<string, unknown> }): boolean {
  return client.metadata().introspection_allowed === true;
}
