import type { JWK } from 'jose';

/** Members of a JWK that are private key material (RFC 7518 §6). */
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

/**
 * A `fetch` for the admin guard's JWKS cache that answers from this process's own key ring: the admin
 * listener verifies tokens of the server it runs in without a network round trip to the public listener
 * (whose public URL may not even resolve from inside the host).
 */
export function createInProcessJwksFetch(privateJwks: () => readonly JWK[]): typeof fetch {
  return async () => {
    const keys = privateJwks().map((jwk) =>
      Object.fromEntries(Object.entries(jwk).filter(([member]) => !PRIVATE_MEMBERS.has(member))),
    );
    return new Response(JSON.stringify({ keys }), { headers: { 'content-type': 'application/json' } });
  };
}
