import { describe, expect, it } from '@jest/globals';
import { CompactSign, compactVerify, importJWK } from 'jose';
import { NodeCryptoSigningKey, toSigningKeys } from '../../src/keys/node-crypto-signing-key.js';
import { generateSigningKey, type SigningAlg } from '../../src/keys/signing-key-material.js';

const ALGS: SigningAlg[] = ['ES256', 'EdDSA', 'PS256'];

/** A compact JWS the way oidc-provider assembles one around an ExternalSigningKey (lib/helpers/jwt.js). */
function compactWith(key: NodeCryptoSigningKey, payload: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: key.alg, typ: 'at+jwt', kid: key.kid })}.${encode(payload)}`;
  return `${signingInput}.${Buffer.from(key.sign(Buffer.from(signingInput))).toString('base64url')}`;
}

describe('NodeCryptoSigningKey', () => {
  it.each(ALGS)('signs %s so that jose verifies it with the published public key', async (alg) => {
    const generated = await generateSigningKey(alg);
    const [key] = toSigningKeys([generated.privateJwk]);
    const jws = compactWith(key!, { sub: 'demo-service' });
    const verified = await compactVerify(jws, await importJWK(generated.publicJwk, alg), {
      algorithms: [alg],
    });
    expect(JSON.parse(new TextDecoder().decode(verified.payload))).toEqual({ sub: 'demo-service' });
    expect(verified.protectedHeader).toEqual({ alg, typ: 'at+jwt', kid: generated.kid });
  });

  it.each(ALGS)('publishes the same %s JWK members as the private JWK it was made from', async (alg) => {
    const generated = await generateSigningKey(alg);
    const key = new NodeCryptoSigningKey(generated.privateJwk);
    const { kty, crv, x, y, n, e } = key;
    expect({ kid: key.kid, alg: key.alg, use: key.use, kty, crv, x, y, n, e }).toEqual({
      kid: generated.kid,
      alg,
      use: 'sig',
      kty: generated.publicJwk.kty,
      crv: generated.publicJwk.crv,
      x: generated.publicJwk.x,
      y: generated.publicJwk.y,
      n: generated.publicJwk.n,
      e: generated.publicJwk.e,
    });
    expect(key.keyObject().type).toBe('public');
  });

  it.each(ALGS)(
    'verifies %s signatures made by jose with the same key, and the other way round',
    async (alg) => {
      const generated = await generateSigningKey(alg);
      const key = new NodeCryptoSigningKey(generated.privateJwk);
      const byJose = await new CompactSign(new TextEncoder().encode('{"a":1}'))
        .setProtectedHeader({ alg })
        .sign(await importJWK(generated.privateJwk, alg));
      await expect(compactVerify(byJose, key.keyObject(), { algorithms: [alg] })).resolves.toBeDefined();
      await expect(
        compactVerify(compactWith(key, { a: 1 }), key.keyObject(), { algorithms: [alg] }),
      ).resolves.toBeDefined();
    },
  );

  it('signs synchronously (no thread-pool round trip)', async () => {
    const key = new NodeCryptoSigningKey((await generateSigningKey('ES256')).privateJwk);
    expect(key.sign(Buffer.from('data'))).toBeInstanceOf(Buffer);
  });

  it('refuses a key it cannot sign with', async () => {
    const { privateJwk } = await generateSigningKey('ES256');
    expect(() => new NodeCryptoSigningKey({ ...privateJwk, alg: 'RS256' })).toThrow(TypeError);
    expect(() => new NodeCryptoSigningKey({ ...privateJwk, kid: undefined })).toThrow(TypeError);
  });
});
