import { constants, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { CompactSign, type CryptoKey, importJWK } from 'jose';
import type { ImportedSigningKey } from '../../src/jwks/jwks-key-store.js';
import { verifyJwsSignature } from '../../src/jwt/verify-jws-signature.js';
import { ASYMMETRIC_ALGORITHMS } from '../../src/verifier-options.js';

const INPUT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ';

function keyPair(alg: string, rsaBits = 2048) {
  switch (alg.slice(0, 2)) {
    case 'ES': {
      const namedCurve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg] as string;
      return generateKeyPairSync('ec', { namedCurve });
    }
    case 'Ed':
      return generateKeyPairSync('ed25519');
    default:
      return generateKeyPairSync('rsa', { modulusLength: rsaBits });
  }
}

/** As the key store hands it over: the KeyObject, and the modulus length of an RSA key. */
function imported(publicKey: KeyObject): ImportedSigningKey {
  return {
    cryptoKey: undefined as never,
    keyObject: publicKey,
    modulusBits: publicKey.asymmetricKeyDetails?.modulusLength,
    generation: 1,
  };
}

const reasonOf = (run: () => void) => {
  try {
    run();
  } catch (error) {
    return (error as { reason?: string }).reason;
  }
  return 'verified';
};

describe('verifyJwsSignature', () => {
  it.each([...ASYMMETRIC_ALGORITHMS])(
    '%s: verifies a signature jose made, and refuses it over other content',
    async (alg) => {
      const { privateKey, publicKey } = keyPair(alg);
      const key = await importJWK(privateKey.export({ format: 'jwk' }), alg);
      const token = await new CompactSign(Buffer.from('{"sub":"user-1"}'))
        .setProtectedHeader({ alg })
        .sign(key as CryptoKey);
      const [header, payload, signature] = token.split('.') as [string, string, string];
      expect(
        reasonOf(() => verifyJwsSignature(alg, imported(publicKey), `${header}.${payload}`, signature)),
      ).toBe('verified');
      expect(
        reasonOf(() => verifyJwsSignature(alg, imported(publicKey), `${header}.${payload}x`, signature)),
      ).toBe('bad_signature');
    },
  );

  it('refuses a signature by another key as bad_signature', () => {
    const signer = keyPair('ES256');
    const other = keyPair('ES256');
    const signature = sign('sha256', Buffer.from(INPUT), {
      key: signer.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    expect(
      reasonOf(() =>
        verifyJwsSignature('ES256', imported(other.publicKey), INPUT, signature.toString('base64url')),
      ),
    ).toBe('bad_signature');
  });

  it('ES256: refuses a DER-encoded signature and one of the wrong length (RFC 7518 §3.4: R || S)', () => {
    const { privateKey, publicKey } = keyPair('ES256');
    const der = sign('sha256', Buffer.from(INPUT), privateKey);
    const raw = sign('sha256', Buffer.from(INPUT), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    expect(
      reasonOf(() => verifyJwsSignature('ES256', imported(publicKey), INPUT, der.toString('base64url'))),
    ).toBe('bad_signature');
    for (const wrong of [raw.subarray(0, 63), Buffer.concat([raw, Buffer.from([0])]), Buffer.alloc(0)]) {
      expect(
        reasonOf(() => verifyJwsSignature('ES256', imported(publicKey), INPUT, wrong.toString('base64url'))),
      ).toBe('bad_signature');
    }
  });

  it('PS256: refuses a PSS signature whose salt is not the digest length (RFC 7518 §3.5)', () => {
    const { privateKey, publicKey } = keyPair('PS256');
    const signature = sign('sha256', Buffer.from(INPUT), {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 20,
    });
    expect(
      reasonOf(() =>
        verifyJwsSignature('PS256', imported(publicKey), INPUT, signature.toString('base64url')),
      ),
    ).toBe('bad_signature');
    const right = sign('sha256', Buffer.from(INPUT), {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    expect(
      reasonOf(() => verifyJwsSignature('PS256', imported(publicKey), INPUT, right.toString('base64url'))),
    ).toBe('verified');
  });

  it('RS256: refuses a PKCS#1 v1.5 signature under PS256 and the reverse', () => {
    const { privateKey, publicKey } = keyPair('RS256');
    const pkcs1 = sign('sha256', Buffer.from(INPUT), privateKey).toString('base64url');
    expect(reasonOf(() => verifyJwsSignature('PS256', imported(publicKey), INPUT, pkcs1))).toBe(
      'bad_signature',
    );
    expect(reasonOf(() => verifyJwsSignature('RS256', imported(publicKey), INPUT, pkcs1))).toBe('verified');
  });

  it('refuses an RSA key shorter than 2048 bits as malformed, even with a good signature (as jose)', () => {
    const { privateKey, publicKey } = keyPair('RS256', 1024);
    const signature = sign('sha256', Buffer.from(INPUT), privateKey).toString('base64url');
    expect(reasonOf(() => verifyJwsSignature('RS256', imported(publicKey), INPUT, signature))).toBe(
      'malformed',
    );
  });

  it('refuses an algorithm it has no scheme for, and an undecodable signature, as malformed', () => {
    const { publicKey } = keyPair('ES256');
    expect(reasonOf(() => verifyJwsSignature('HS256', imported(publicKey), INPUT, 'c2ln'))).toBe('malformed');
    expect(reasonOf(() => verifyJwsSignature('ES256', imported(publicKey), INPUT, 'abcde'))).toBe(
      'malformed',
    );
  });

  it('counts a key of the wrong type as a failed verification, not an error', () => {
    const { publicKey } = keyPair('EdDSA');
    const { privateKey } = keyPair('ES256');
    const signature = sign('sha256', Buffer.from(INPUT), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    expect(
      reasonOf(() =>
        verifyJwsSignature('ES256', imported(publicKey), INPUT, signature.toString('base64url')),
      ),
    ).toBe('bad_signature');
  });
});
