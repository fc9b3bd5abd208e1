import { GuardUnavailableError } from './errors.js';

const DISCOVERY_TIMEOUT_MS = 5000;
const RETRY_AFTER_SECONDS = 5;

/**
 * Reads `jwks_uri` from the issuer's RFC 8414 metadata. The metadata's `issuer` must equal ours exactly
 * (RFC 8414 §3.3), so a misrouted or spoofed metadata document cannot hand us someone else's keys.
 */
export async function discoverJwksUri(issuer: string, fetchImpl: typeof fetch): Promise<URL> {
  const metadataUrl = metadataUrlOf(issuer);
  try {
    const response = await fetchImpl(metadataUrl, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`metadata answered ${response.status}`);
    const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (metadata.issuer !== issuer)
      throw new Error(`metadata issuer ${String(metadata.issuer)} is not ${issuer}`);
    if (typeof metadata.jwks_uri !== 'string' || !URL.canParse(metadata.jwks_uri)) {
      throw new Error('metadata has no valid jwks_uri');
    }
    return new URL(metadata.jwks_uri);
  } catch (error) {
    throw new GuardUnavailableError('jwks', RETRY_AFTER_SECONDS, { cause: error });
  }
}

/** RFC 8414 §3.1: the well-known segment goes between the host and the issuer's path. */
function metadataUrlOf(issuer: string): URL {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  url.pathname = `/.well-known/oauth-authorization-server${path}`;
  return url;
}
