import type { Principal } from './principal.js';

/**
 * The extension point for API keys (issue 8), as the guard sees it: the guard itself knows nothing of how
 * keys are stored or synced (`@portcullis/api-keys` implements it with an in-memory mirror of signed
 * records). Called with the X-API-Key header value exactly as received, on routes that opt in.
 *
 * Resolve to the key's Principal (`credential: 'api_key'`, `tokenId` = the key id), or reject with a
 * GuardError: InvalidTokenError (401) for a malformed, unknown, expired or revoked key — the same reason
 * for an unknown id and a wrong secret, so ids cannot be probed — and GuardUnavailableError (503) when the
 * revocation state is too stale to trust. Anything else is answered 401 (fail closed).
 *
 * @example
 * const apiKeys: ApiKeyVerifier = { verify: (key) => keyVerifier.verify(key) };
 * const guard = createKoaGuard({ verifier, realm: 'items', apiKeys });
 */
export interface ApiKeyVerifier {
  verify(presentedKey: string): Promise<Principal>;
}
