import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createTestSigningKey,
  type ForgeOptions,
  forgeAccessToken,
  type JwksServer,
  startJwksServer,
  type TestSigningKey,
} from '../../../../test/support/token-forge.js';
import { InvalidTokenError } from '../../src/errors.js';
import type { Principal } from '../../src/principal.js';
import type { AccessTokenVerifierOptions } from '../../src/verifier-options.js';
import { type AccessTokenVerifier, createAccessTokenVerifier } from '../../src/verify-access-token.js';

const ISSUER = 'https://auth.cache.test';
const AUDIENCE = 'https://api.cache.test';
const NOW = 1_750_000_000;

let key: TestSigningKey;
let otherKey: TestSigningKey;
let jwks: JwksServer;

/** A verifier on its own clock (epoch ms), which the test moves. */
function verifierAt(options: Partial<AccessTokenVerifierOptions> = {}) {
  const clock = { now: NOW * 1000 };
  const verifier = createAccessTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: jwks.url,
    now: () => clock.now,
    ...options,
  });
  return { verifier, clock };
}

function forge(options: ForgeOptions = {}, signer: TestSigningKey = key): Promise<string> {
  return forgeAccessToken(
    signer,
    { issuer: ISSUER, audience: AUDIENCE },
    { header: options.header, claims: { iat: NOW - 10, exp: NOW + 290, ...options.claims } },
  );
}

async function reasonOf(verifier: AccessTokenVerifier, token: string): Promise<string> {
  try {
    await verifier.verify(token);
  } catch (error) {
    if (error instanceof InvalidTokenError) return error.reason;
    throw error;
  }
  return 'accepted';
}

beforeAll(async () => {
  key = await createTestSigningKey('ES256');
  otherKey = await createTestSigningKey('ES256');
  jwks = await startJwksServer([key.publicJwk]);
});
afterAll(async () => {
  await jwks.close();
});

/**
 * Verifies the token twice, as a token is cached the second time it passes a full verification, and
 * returns the principal now cached.
 */
async function cached(verifier: AccessTokenVerifier, token: string): Promise<Principal> {
  await verifier.verify(token);
  return verifier.verify(token);
}

// A hit hands back the very Principal the full verification produced; a miss verifies again and builds a
// new one. That identity is how these tests tell one from the other.
describe('the verified-token cache of createAccessTokenVerifier', () => {
  it('serves a token seen before from the cache, frozen', async () => {
    const { verifier } = verifierAt();
    const token = await forge();
    const once = await verifier.verify(token);
    // Admitted on second sight: the second request is still verified in full.
    const first = await verifier.verify(token);
    expect(first).not.toBe(once);
    expect(await verifier.verify(token)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.scopes) && Object.isFrozen(first.claims)).toBe(
      true,
    );
    expect(() => (first.scopes as string[]).push('admin')).toThrow(TypeError);
  });

  it('is off with verifiedTokenCache: false', async () => {
    const { verifier } = verifierAt({ verifiedTokenCache: false });
    const token = await forge();
    const first = await cached(verifier, token);
    const second = await verifier.verify(token);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it('re-checks exp on every hit: the token expires while cached', async () => {
    const { verifier, clock } = verifierAt();
    const token = await forge({ claims: { exp: NOW + 60 } });
    const first = await cached(verifier, token);
    clock.now = (NOW + 64) * 1000; // exp + tolerance (5 s) - 1 s
    expect(await verifier.verify(token)).toBe(first);
    clock.now = (NOW + 65) * 1000;
    expect(await reasonOf(verifier, token)).toBe('expired');
  });

  it('re-checks the maximum age on every hit', async () => {
    const { verifier, clock } = verifierAt({ maxTokenAgeSeconds: 60 });
    const token = await forge({ claims: { iat: NOW, exp: NOW + 3600 } });
    const first = await cached(verifier, token);
    clock.now = (NOW + 65) * 1000;
    expect(await verifier.verify(token)).toBe(first);
    clock.now = (NOW + 66) * 1000;
    expect(await reasonOf(verifier, token)).toBe('too_old');
  });

  it('never caches a failure: a refused token is verified in full every time', async () => {
    const { verifier, clock } = verifierAt();
    const early = await forge({ claims: { nbf: NOW + 30 } });
    expect(await reasonOf(verifier, early)).toBe('not_yet_valid');
    const forged = await forge({ header: { kid: key.kid } }, otherKey);
    expect(await reasonOf(verifier, forged)).toBe('bad_signature');
    expect(await reasonOf(verifier, forged)).toBe('bad_signature');
    clock.now = (NOW + 30) * 1000;
    const principal = await cached(verifier, early);
    expect(await verifier.verify(early)).toBe(principal);
  });

  it('keys on the exact string: another encoding of the same claims is verified from scratch', async () => {
    const { verifier } = verifierAt();
    const token = await forge();
    const first = await cached(verifier, token);
    // ES256 is malleable: (r, n - s) verifies too. Any other string is simply another cache key.
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const tampered = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('A') ? 'B' : 'A'}A`;
    expect(await reasonOf(verifier, tampered)).toBe('bad_signature');
    expect(await verifier.verify(token)).toBe(first);
  });

  describe('key set changes', () => {
    it('no longer serves a token whose kid left the JWKS once the key set is refreshed', async () => {
      const { verifier } = verifierAt();
      const token = await forge();
      await cached(verifier, token);
      jwks.publish([otherKey.publicJwk]);
      try {
        await verifier.keys.refresh();
        expect(await reasonOf(verifier, token)).toBe('unknown_key');
      } finally {
        jwks.publish([key.publicJwk]);
      }
    });

    it('notices a removed key through the background refresh that cache hits start', async () => {
      const { verifier, clock } = verifierAt({ maxTokenAgeSeconds: 7200 });
      const token = await forge({ claims: { exp: NOW + 3600 } });
      await cached(verifier, token);
      jwks.publish([otherKey.publicJwk]);
      try {
        const before = jwks.requests();
        clock.now = (NOW + 301) * 1000; // past the 300 s refresh interval: stale, served, refreshed behind
        expect(await reasonOf(verifier, token)).toBe('accepted');
        for (let waited = 0; jwks.requests() === before && waited < 2000; waited += 10) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        expect(jwks.requests()).toBe(before + 1);
        await new Promise((resolve) => setTimeout(resolve, 50)); // let the fetched set replace the old one
        expect(await reasonOf(verifier, token)).toBe('unknown_key');
      } finally {
        jwks.publish([key.publicJwk]);
      }
    });

    it('keeps serving from the cache when a refresh brings the same keys', async () => {
      const { verifier } = verifierAt();
      const token = await forge();
      const first = await cached(verifier, token);
      await verifier.keys.refresh();
      expect(await verifier.verify(token)).toBe(first);
    });

    it('verifies again, and still accepts, when a key was added next to the token’s key', async () => {
      const { verifier } = verifierAt();
      const token = await forge();
      const first = await cached(verifier, token);
      jwks.publish([key.publicJwk, otherKey.publicJwk]);
      try {
        await verifier.keys.refresh();
        // Verified again, and cached again at once: it was seen before.
        const again = await verifier.verify(token);
        expect(again).not.toBe(first);
        expect(await verifier.verify(token)).toBe(again);
      } finally {
        jwks.publish([key.publicJwk]);
      }
    });

    it('does not serve from the cache once the key set is older than maxStaleSeconds', async () => {
      const { verifier, clock } = verifierAt({
        maxTokenAgeSeconds: 86_400,
        jwks: { refreshIntervalSeconds: 60, maxStaleSeconds: 120 },
      });
      const token = await forge({ claims: { exp: NOW + 80_000 } });
      await cached(verifier, token);
      jwks.publish([]);
      try {
        clock.now = (NOW + 121) * 1000;
        // The set is no longer trusted: the full path fetches it again, and the key is gone.
        expect(await reasonOf(verifier, token)).toBe('unknown_key');
      } finally {
        jwks.publish([key.publicJwk]);
      }
    });
  });

  describe('revocation is checked on every request, hit or miss', () => {
    it('refuses a token revoked after it was cached, at once', async () => {
      const revoked = new Set<string>();
      const { verifier } = verifierAt({ revocation: { isRevoked: (token) => revoked.has(token.tokenId) } });
      const token = await forge();
      const principal: Principal = await cached(verifier, token);
      expect(await verifier.verify(token)).toBe(principal);
      revoked.add(principal.tokenId);
      expect(await reasonOf(verifier, token)).toBe('revoked');
      revoked.clear();
      expect(await verifier.verify(token)).toBe(principal);
    });

    it('answers 503 on a hit when the revocation state is unavailable', async () => {
      let failing = false;
      const { verifier } = verifierAt({
        revocation: {
          isRevoked: () => {
            if (failing) throw new Error('mirror stale');
            return false;
          },
        },
      });
      const token = await forge();
      await cached(verifier, token);
      failing = true;
      await expect(verifier.verify(token)).rejects.toMatchObject({ status: 503, dependency: 'revocation' });
    });
  });

  it('holds at most maxEntries tokens', async () => {
    const { verifier } = verifierAt({ verifiedTokenCache: { maxEntries: 2 } });
    const tokens = await Promise.all([forge(), forge(), forge()]);
    const principals: Principal[] = [];
    for (const token of tokens) principals.push(await cached(verifier, token));
    expect(await verifier.verify(tokens[2] as string)).toBe(principals[2]);
    expect(await verifier.verify(tokens[1] as string)).toBe(principals[1]);
    // The first was the least recently used when the third came in.
    expect(await verifier.verify(tokens[0] as string)).not.toBe(principals[0]);
  });
});
