import type { ArtifactPayload, ClientRecord } from '@portcullis/db';

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
    scope: client.scopes.join(' '),
    redirect_uris: [],
    response_types: [],
    first_party: client.firstParty,
  };
}
