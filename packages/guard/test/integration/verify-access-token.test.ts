import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CompactSign } from 'jose';
import {
  createTestSigningKey,
  encodeSegment,
  type ForgeOptions,
  forgeAccessToken,
  type JwksServer,
  startJwksServer,
  type TestSigningKey,
} from '../../../../test/support/token-forge.js';
import {
  GuardError,
  GuardUnavailableError,
  InvalidTokenError,
  type InvalidTokenReason,
} from '../../src/errors.js';
import type { RevocationCheck, RevocationSubject } from '../../src/revocation-check.js';
import type { AccessTokenVerifierOptions } from '../../src/verifier-options.js';
import { type AccessTokenVerifier, createAccessTokenVerifier } from '../../src/verify-access-token.js';

const ISSUER = 'https://auth.example.test';
const AUDIENCE = 'https://api.example.test';
/** Every verifier here runs on this frozen clock (epoch seconds); tokens are forged around it. */
const NOW = 1_750_000_000;
const now = () => NOW * 1000;

let key: TestSigningKey;
/** Not published: signs tokens the verifier must not trust. */
let strangerKey: TestSigningKey;
let jwks: JwksServer;
let verifier: AccessTokenVerifier;

function newVerifier(options: Partial<AccessTokenVerifierOptions> = {}): AccessTokenVerifier {
  return createAccessTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: jwks.url,
    now,
    ...options,
  });
}

/** A valid access token issued 10 s before NOW and expiring 290 s after it, with `options` applied. */
function forge(options: ForgeOptions = {}, signer: TestSigningKey = key): Promise<string> {
  return forgeAccessToken(
    signer,
    { issuer: ISSUER, audience: AUDIENCE },
    { header: options.header, claims: { iat: NOW - 10, exp: NOW + 290, ...options.claims } },
  );
}

/** What `promise` rejected with; fails the test if it resolved. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the verification to fail');
}

/** The InvalidTokenReason a refused token was given. */
async function reasonOf(token: string, using: AccessTokenVerifier = verifier): Promise<InvalidTokenReason> {
  const error = await rejectionOf(using.verify(token));
  expect(error).toBeInstanceOf(InvalidTokenError);
  const refusal = error as InvalidTokenError;
  expect(refusal).toMatchObject({
    status: 401,
    oauthError: 'invalid_token',
    code: 'ERR_GUARD_INVALID_TOKEN',
  });
  return refusal.reason;
}

/** The signature part of a token, to graft onto a hand-built header and payload. */
const signatureOf = (token: string) => token.split('.')[2] as string;

beforeAll(async () => {
  key = await createTestSigningKey('ES256');
  strangerKey = await createTestSigningKey('ES256');
  jwks = await startJwksServer([key.publicJwk]);
  verifier = newVerifier();
});

afterAll(async () => {
  await jwks.close();
});

describe('a valid access token', () => {
  it('resolves to the principal of a user token', async () => {
    const token = await forge({
      claims: { sub: 'user-42', client_id: 'web-app', grant_id: 'grant-7', scope: 'items:read  items:write' },
    });
    const principal = await verifier.verify(token);
    expect(principal).toEqual({
      kind: 'user',
      subject: 'user-42',
      clientId: 'web-app',
      scopes: ['items:read', 'items:write'],
      roles: ['admin'],
      permissions: ['items:read', 'items:write', 'items:delete'],
      tokenId: expect.any(String),
      grantId: 'grant-7',
      keyId: key.kid,
      issuedAt: NOW - 10,
      expiresAt: NOW + 290,
      claims: expect.objectContaining({ iss: ISSUER, aud: AUDIENCE, sub: 'user-42', grant_id: 'grant-7' }),
      credential: 'access_token',
    });
    expect(principal.tokenId).toBe(principal.claims.jti);
  });

  it('is a client principal when sub is the client_id and there is no grant_id (client_credentials)', async () => {
    const token = await forge({
      claims: {
        sub: 'billing-service',
        client_id: 'billing-service',
        roles: undefined,
        permissions: undefined,
      },
    });
    expect(await verifier.verify(token)).toMatchObject({
      kind: 'client',
      subject: 'billing-service',
      clientId: 'billing-service',
      grantId: undefined,
      roles: [],
      permissions: [],
    });
  });

  it('is a user principal when sub equals client_id but a grant_id is present', async () => {
    const token = await forge({ claims: { sub: 'same', client_id: 'same', grant_id: 'g' } });
    expect((await verifier.verify(token)).kind).toBe('user');
  });

  it('is a user principal when sub differs from client_id, even without grant_id', async () => {
    const token = await forge({ claims: { sub: 'user-1', client_id: 'web-app' } });
    expect((await verifier.verify(token)).kind).toBe('user');
  });

  it('may omit scope, roles and permissions', async () => {
    const token = await forge({ claims: { scope: undefined, roles: undefined, permissions: undefined } });
    expect(await verifier.verify(token)).toMatchObject({ scopes: [], roles: [], permissions: [] });
  });

  it('accepts an aud array that contains our audience', async () => {
    const token = await forge({ claims: { aud: ['https://other.example.test', AUDIENCE] } });
    expect((await verifier.verify(token)).subject).toBe('forged-subject');
  });

  it('accepts typ in its full media type form application/at+jwt (RFC 9068 §2.1)', async () => {
    const token = await forge({ header: { typ: 'application/at+jwt' } });
    await expect(verifier.verify(token)).resolves.toMatchObject({ keyId: key.kid });
  });

  it('fetches the JWKS once and verifies later tokens from the cache', async () => {
    const before = jwks.requests();
    for (let index = 0; index < 3; index += 1) await verifier.verify(await forge());
    expect(jwks.requests()).toBe(before);
  });
});

describe('every refusal names its reason', () => {
  it.each([
    ['not a JWT', 'not-a-jwt'],
    ['two segments', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0'],
    ['four segments', 'a.b.c.d'],
    ['empty segments', '..'],
    ['an empty string', ''],
    ['characters outside base64url', 'eyJh+GciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln'],
    ['a header that is not JSON', `${Buffer.from('{alg').toString('base64url')}.e30.c2ln`],
    ['a header that is a JSON array', `${encodeSegment(['ES256'])}.e30.c2ln`],
    ['a header that is JSON null', `${encodeSegment(null)}.e30.c2ln`],
  ])('malformed: %s', async (_name, token) => {
    expect(await reasonOf(token)).toBe('malformed');
  });

  it('malformed: a correctly signed JWS whose payload is not a JSON object', async () => {
    const token = await new CompactSign(new TextEncoder().encode('not json'))
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid })
      .sign(key.privateKey);
    expect(await reasonOf(token)).toBe('malformed');
  });

  it('malformed: an alg "none" token with its empty signature', async () => {
    const token = `${encodeSegment({ alg: 'none', typ: 'at+jwt' })}.${encodeSegment({ iss: ISSUER })}.`;
    expect(await reasonOf(token)).toBe('malformed');
  });

  it('too_large: a token over maxTokenBytes is refused before it is parsed', async () => {
    expect(await reasonOf('a'.repeat(8193))).toBe('too_large');
    const padded = await forge({ claims: { padding: 'x'.repeat(9000) } });
    expect(await reasonOf(padded)).toBe('too_large');
    const small = newVerifier({ maxTokenBytes: 100 });
    expect(await reasonOf(await forge(), small)).toBe('too_large');
  });

  it('too_large counts bytes, not characters', async () => {
    const small = newVerifier({ maxTokenBytes: 10 });
    // Five characters, fifteen UTF-8 bytes.
    expect(await reasonOf('€€€€€', small)).toBe('too_large');
  });

  it.each(['none', 'HS256', 'RS256', 'ES384', 'EdDSA'])(
    'disallowed_algorithm: alg %s when only ES256 is accepted',
    async (alg) => {
      const header = encodeSegment({ alg, typ: 'at+jwt', kid: key.kid });
      const token = `${header}.${encodeSegment({ iss: ISSUER })}.c2lnbmF0dXJl`;
      expect(await reasonOf(token)).toBe('disallowed_algorithm');
    },
  );

  it('disallowed_algorithm: an HS256 token keyed with our public key (algorithm confusion)', async () => {
    const header = encodeSegment({ alg: 'HS256', typ: 'at+jwt', kid: key.kid });
    const payload = encodeSegment({ iss: ISSUER, aud: AUDIENCE, sub: 's', exp: NOW + 60 });
    const mac = createHmac('sha256', JSON.stringify(key.publicJwk))
      .update(`${header}.${payload}`)
      .digest('base64url');
    expect(await reasonOf(`${header}.${payload}.${mac}`)).toBe('disallowed_algorithm');
  });

  it('disallowed_algorithm: a genuinely signed ES384 token when only ES256 is accepted', async () => {
    const es384 = await createTestSigningKey('ES384');
    jwks.publish([key.publicJwk, es384.publicJwk]);
    try {
      expect(await reasonOf(await forge({}, es384), newVerifier())).toBe('disallowed_algorithm');
      // The same token is good for a verifier that accepts ES384.
      await expect(
        newVerifier({ algorithms: ['ES256', 'ES384'] }).verify(await forge({}, es384)),
      ).resolves.toMatchObject({ keyId: es384.kid });
    } finally {
      jwks.publish([key.publicJwk]);
    }
  });

  it('disallowed_algorithm: a header without alg', async () => {
    const token = `${encodeSegment({ typ: 'at+jwt', kid: key.kid })}.${encodeSegment({ iss: ISSUER })}.c2ln`;
    expect(await reasonOf(token)).toBe('disallowed_algorithm');
  });

  it.each([
    ['jku', 'https://attacker.example/jwks'],
    ['jwk', { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }],
    ['x5u', 'https://attacker.example/cert.pem'],
    ['x5c', ['MIIB']],
    ['x5t', 'dGh1bWI'],
    ['x5t#S256', 'dGh1bWI'],
  ])('disallowed_header: a key-carrying %s header, even on a genuinely signed token', async (name, value) => {
    const token = await forge({ header: { [name]: value } });
    expect(await reasonOf(token)).toBe('disallowed_header');
  });

  it.each([
    ['JWT', 'JWT'],
    ['application/jwt', 'application/jwt'],
    ['an id token type', 'id_token+jwt'],
    ['missing', undefined],
  ])('wrong_type: typ %s', async (_name, typ) => {
    expect(await reasonOf(await forge({ header: { typ } }))).toBe('wrong_type');
  });

  it('unknown_key: a kid the JWKS does not list', async () => {
    expect(await reasonOf(await forge({}, strangerKey))).toBe('unknown_key');
  });

  it('unknown_key: no kid at all', async () => {
    expect(await reasonOf(await forge({ header: { kid: undefined } }))).toBe('unknown_key');
  });

  it('unknown_key: a kid of the wrong type', async () => {
    expect(await reasonOf(await forge({ header: { kid: 42 } }))).toBe('unknown_key');
  });

  it('bad_signature: signed by another key under our kid', async () => {
    expect(await reasonOf(await forge({ header: { kid: key.kid } }, strangerKey))).toBe('bad_signature');
  });

  it('bad_signature: a payload swapped under a genuine signature', async () => {
    const [header, , signature] = (await forge()).split('.');
    const elevated = encodeSegment({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'attacker',
      client_id: 'c',
      iat: NOW,
      exp: NOW + 60,
      jti: 'j',
      roles: ['admin'],
    });
    expect(await reasonOf(`${header}.${elevated}.${signature}`)).toBe('bad_signature');
  });

  it('bad_signature: a signature from another token', async () => {
    const [header, payload] = (await forge({ claims: { sub: 'one' } })).split('.');
    const other = await forge({ claims: { sub: 'two' } });
    expect(await reasonOf(`${header}.${payload}.${signatureOf(other)}`)).toBe('bad_signature');
  });

  it.each([
    ['another issuer', 'https://evil.example.test'],
    ['our issuer with a trailing slash', `${ISSUER}/`],
    ['our issuer in another case', ISSUER.toUpperCase()],
    ['our issuer in an array', [ISSUER]],
  ])('wrong_issuer: %s', async (_name, iss) => {
    expect(await reasonOf(await forge({ claims: { iss } }))).toBe('wrong_issuer');
  });

  it.each([
    ['another audience', 'https://other.example.test'],
    ['an array without ours', ['https://a.example.test', 'https://b.example.test']],
    ['an empty array', []],
    ['our audience with a trailing slash', `${AUDIENCE}/`],
  ])('wrong_audience: %s', async (_name, aud) => {
    expect(await reasonOf(await forge({ claims: { aud } }))).toBe('wrong_audience');
  });

  it.each(['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'])('missing_claim: %s', async (claim) => {
    expect(await reasonOf(await forge({ claims: { [claim]: undefined } }))).toBe('missing_claim');
  });

  it.each([
    ['roles that is a string', { roles: 'admin' }],
    ['roles holding a number', { roles: ['admin', 1] }],
    ['permissions that is an object', { permissions: { 'items:read': true } }],
    ['scope that is an array', { scope: ['items:read'] }],
    ['scope that is null', { scope: null }],
    ['an empty sub', { sub: '' }],
    ['a numeric sub', { sub: 42 }],
    ['an empty client_id', { client_id: '' }],
    ['an empty jti', { jti: '' }],
    ['a numeric grant_id', { grant_id: 7 }],
    ['an exp that is a string', { exp: String(NOW + 60) }],
    ['an iat that is a string', { iat: String(NOW) }],
    ['an nbf that is a string', { nbf: String(NOW) }],
  ])('invalid_claim: %s', async (_name, claims) => {
    expect(await reasonOf(await forge({ claims }))).toBe('invalid_claim');
  });

  it('expired: exp well in the past', async () => {
    expect(await reasonOf(await forge({ claims: { iat: NOW - 400, exp: NOW - 100 } }))).toBe('expired');
  });

  it('not_yet_valid: nbf beyond the clock tolerance', async () => {
    expect(await reasonOf(await forge({ claims: { nbf: NOW + 60 } }))).toBe('not_yet_valid');
  });

  it('issued_in_future: iat beyond the clock tolerance', async () => {
    expect(await reasonOf(await forge({ claims: { iat: NOW + 60, exp: NOW + 360 } }))).toBe(
      'issued_in_future',
    );
  });

  it('too_old: iat older than maxTokenAgeSeconds, whatever exp says', async () => {
    expect(await reasonOf(await forge({ claims: { iat: NOW - 3700, exp: NOW + 3600 } }))).toBe('too_old');
    const strict = newVerifier({ maxTokenAgeSeconds: 60 });
    expect(await reasonOf(await forge({ claims: { iat: NOW - 120 } }), strict)).toBe('too_old');
  });

  it('revoked: the revocation check says so', async () => {
    const revoking = newVerifier({ revocation: { isRevoked: () => true } });
    expect(await reasonOf(await forge(), revoking)).toBe('revoked');
  });
});

describe('clock tolerance', () => {
  it('accepts a token that expired 3 s ago under the default 5 s tolerance', async () => {
    await expect(verifier.verify(await forge({ claims: { exp: NOW - 3 } }))).resolves.toMatchObject({
      expiresAt: NOW - 3,
    });
  });

  it('refuses a token that expired 10 s ago', async () => {
    expect(await reasonOf(await forge({ claims: { exp: NOW - 10 } }))).toBe('expired');
  });

  it('accepts nbf and iat a few seconds ahead, within the tolerance', async () => {
    await expect(
      verifier.verify(await forge({ claims: { nbf: NOW + 3, iat: NOW + 3 } })),
    ).resolves.toBeDefined();
  });

  it('accepts an iat at the maximum age plus the tolerance, not beyond', async () => {
    await expect(
      verifier.verify(await forge({ claims: { iat: NOW - 3600 - 5, exp: NOW + 60 } })),
    ).resolves.toBeDefined();
    expect(await reasonOf(await forge({ claims: { iat: NOW - 3600 - 6, exp: NOW + 60 } }))).toBe('too_old');
  });

  it('honours a tolerance of zero', async () => {
    const exact = newVerifier({ clockToleranceSeconds: 0 });
    expect(await reasonOf(await forge({ claims: { exp: NOW - 1 } }), exact)).toBe('expired');
    expect(await reasonOf(await forge({ claims: { exp: NOW } }), exact)).toBe('expired');
    await expect(exact.verify(await forge({ claims: { exp: NOW + 1 } }))).resolves.toBeDefined();
  });

  it('reads the injected clock on every verification', async () => {
    let clock = NOW * 1000;
    const moving = newVerifier({ now: () => clock });
    const token = await forge({ claims: { exp: NOW + 60 } });
    await expect(moving.verify(token)).resolves.toBeDefined();
    clock += 70_000;
    expect(await reasonOf(token, moving)).toBe('expired');
  });
});

describe('the revocation hook', () => {
  function recordingCheck(answer: RevocationCheck['isRevoked']) {
    const calls: RevocationSubject[] = [];
    const check: RevocationCheck = {
      isRevoked(subject) {
        calls.push(subject);
        return answer(subject);
      },
    };
    return { check, calls };
  }

  it('receives the facts a revocation can name, and a false answer lets the token through', async () => {
    const { check, calls } = recordingCheck(() => false);
    const token = await forge({
      claims: { sub: 'user-9', client_id: 'web', grant_id: 'grant-3', jti: 'jti-5' },
    });
    await expect(newVerifier({ revocation: check }).verify(token)).resolves.toMatchObject({
      subject: 'user-9',
    });
    expect(calls).toEqual([
      expect.objectContaining({
        tokenId: 'jti-5',
        grantId: 'grant-3',
        subject: 'user-9',
        clientId: 'web',
        keyId: key.kid,
        issuedAt: NOW - 10,
      }),
    ]);
  });

  it('is not consulted for a token that fails another check', async () => {
    const { check, calls } = recordingCheck(() => false);
    const checked = newVerifier({ revocation: check });
    expect(await reasonOf(await forge({ claims: { exp: NOW - 100 } }), checked)).toBe('expired');
    expect(await reasonOf(await forge({}, strangerKey), checked)).toBe('unknown_key');
    expect(calls).toEqual([]);
  });

  it('may answer asynchronously', async () => {
    const revoked = newVerifier({ revocation: { isRevoked: async () => true } });
    const allowed = newVerifier({ revocation: { isRevoked: async () => false } });
    const token = await forge();
    expect(await reasonOf(token, revoked)).toBe('revoked');
    await expect(allowed.verify(token)).resolves.toBeDefined();
  });

  it.each([
    [
      'throws an Error',
      () => {
        throw new Error('redis: connection refused');
      },
    ],
    ['rejects', () => Promise.reject(new Error('mirror not loaded'))],
    [
      'throws a non-Error',
      () => {
        throw 'stale';
      },
    ],
  ])('fails closed with 503 when it %s', async (_name, isRevoked) => {
    const failing = newVerifier({ revocation: { isRevoked: isRevoked as RevocationCheck['isRevoked'] } });
    const error = await rejectionOf(failing.verify(await forge()));
    expect(error).toBeInstanceOf(GuardUnavailableError);
    expect(error).toMatchObject({
      status: 503,
      dependency: 'revocation',
      retryAfterSeconds: 5,
      code: 'ERR_GUARD_UNAVAILABLE',
    });
  });

  it('passes its own GuardUnavailableError through, with its Retry-After', async () => {
    const stale = new GuardUnavailableError('revocation', 42);
    const failing = newVerifier({
      revocation: {
        isRevoked: () => {
          throw stale;
        },
      },
    });
    expect(await rejectionOf(failing.verify(await forge()))).toBe(stale);
  });
});

describe('discovery of the JWKS location (RFC 8414)', () => {
  type Handler = (request: IncomingMessage, response: ServerResponse) => void;
  let metadataServer: Server;
  let issuer: string;
  let handler: Handler;
  const metadataRequests: string[] = [];

  const serveMetadata =
    (metadata: Record<string, unknown>): Handler =>
    (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadata));
    };

  beforeAll(async () => {
    metadataServer = createServer((request, response) => {
      metadataRequests.push(request.url ?? '');
      handler(request, response);
    });
    await new Promise<void>((resolve) => metadataServer.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(metadataServer.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    metadataServer.closeAllConnections();
    await new Promise<void>((resolve) => metadataServer.close(() => resolve()));
  });

  function discoveringVerifier(clock: () => number = now): AccessTokenVerifier {
    return createAccessTokenVerifier({ issuer, audience: AUDIENCE, now: clock });
  }

  function forgeFor(claims: Record<string, unknown> = {}): Promise<string> {
    return forgeAccessToken(
      key,
      { issuer, audience: AUDIENCE },
      { claims: { iat: NOW - 10, exp: NOW + 290, ...claims } },
    );
  }

  it('reads jwks_uri from /.well-known/oauth-authorization-server once, then verifies', async () => {
    handler = serveMetadata({ issuer, jwks_uri: jwks.url });
    metadataRequests.length = 0;
    const discovering = discoveringVerifier();
    await expect(discovering.verify(await forgeFor())).resolves.toMatchObject({ keyId: key.kid });
    await expect(discovering.verify(await forgeFor())).resolves.toBeDefined();
    expect(metadataRequests).toEqual(['/.well-known/oauth-authorization-server']);
  });

  it('puts the well-known segment before the path of an issuer that has one (RFC 8414 §3.1)', async () => {
    const tenant = `${issuer}/tenant-a`;
    handler = serveMetadata({ issuer: tenant, jwks_uri: jwks.url });
    metadataRequests.length = 0;
    const verifier = createAccessTokenVerifier({ issuer: tenant, audience: AUDIENCE, now });
    const token = await forgeAccessToken(
      key,
      { issuer: tenant, audience: AUDIENCE },
      { claims: { iat: NOW - 10, exp: NOW + 290 } },
    );
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(metadataRequests).toEqual(['/.well-known/oauth-authorization-server/tenant-a']);
  });

  it.each([
    [
      'a metadata issuer that differs',
      (_own: string) => ({ issuer: 'https://evil.example.test', jwks_uri: jwks.url }),
    ],
    ['a metadata issuer with a trailing slash', (own: string) => ({ issuer: `${own}/`, jwks_uri: jwks.url })],
    ['no jwks_uri', (own: string) => ({ issuer: own })],
    ['a jwks_uri that is not a URL', (own: string) => ({ issuer: own, jwks_uri: 'jwks' })],
    ['a jwks_uri that is not http(s)', (own: string) => ({ issuer: own, jwks_uri: 'file:///etc/jwks.json' })],
  ])('answers 503 (GuardUnavailableError jwks) for %s', async (_name, metadata) => {
    handler = serveMetadata(metadata(issuer));
    const error = await rejectionOf(discoveringVerifier().verify(await forgeFor()));
    expect(error).toBeInstanceOf(GuardUnavailableError);
    expect(error).toMatchObject({ status: 503, dependency: 'jwks' });
  });

  it.each([
    ['a 404', (_request: IncomingMessage, response: ServerResponse) => response.writeHead(404).end()],
    ['a 500', (_request: IncomingMessage, response: ServerResponse) => response.writeHead(500).end()],
    [
      'a body that is not JSON',
      (_request: IncomingMessage, response: ServerResponse) => response.writeHead(200).end('<html>'),
    ],
    [
      'a redirect',
      (_request: IncomingMessage, response: ServerResponse) =>
        response.writeHead(302, { location: `${jwks.url}` }).end(),
    ],
  ])('answers 503 when the metadata endpoint gives %s', async (_name, answer) => {
    handler = answer;
    const error = await rejectionOf(discoveringVerifier().verify(await forgeFor()));
    expect(error).toBeInstanceOf(GuardUnavailableError);
    expect(error).toMatchObject({ status: 503, dependency: 'jwks' });
  });

  it('asks again after a failed discovery once the cooldown has passed', async () => {
    let clock = NOW * 1000;
    const discovering = discoveringVerifier(() => clock);
    handler = serveMetadata({ issuer: 'https://evil.example.test', jwks_uri: jwks.url });
    expect(await rejectionOf(discovering.verify(await forgeFor()))).toBeInstanceOf(GuardUnavailableError);
    handler = serveMetadata({ issuer, jwks_uri: jwks.url });
    clock += 31_000;
    await expect(
      discovering.verify(await forgeFor({ iat: NOW + 21, exp: NOW + 321 })),
    ).resolves.toBeDefined();
  });
});

describe('every rejection is a GuardError', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 123],
    ['an object', { token: 'x' }],
    ['an array', ['a.b.c']],
    ['a Buffer', Buffer.from('a.b.c')],
    ['a symbol', Symbol('token')],
  ])('verify(%s) rejects with InvalidTokenError, not a TypeError', async (_name, input) => {
    const error = await rejectionOf(verifier.verify(input as never));
    expect(error).toBeInstanceOf(GuardError);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as InvalidTokenError).reason).toBe('malformed');
  });

  it('answers 503, not 401, when the JWKS cannot be fetched at all', async () => {
    const unreachable = createAccessTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: 'http://127.0.0.1:9/jwks',
      now,
      jwks: { fetchTimeoutMs: 2000 },
    });
    const error = await rejectionOf(unreachable.verify(await forge()));
    expect(error).toBeInstanceOf(GuardUnavailableError);
    expect(error).toMatchObject({ status: 503, dependency: 'jwks' });
  });

  it('answers 503 when the JWKS endpoint serves something that is not a key set', async () => {
    const broken = createServer((_request, response) => response.writeHead(200).end('{"keys": "nope"}'));
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (broken.address() as AddressInfo).port;
      const error = await rejectionOf(
        newVerifier({ jwksUri: `http://127.0.0.1:${port}/jwks` }).verify(await forge()),
      );
      expect(error).toBeInstanceOf(GuardUnavailableError);
    } finally {
      broken.closeAllConnections();
      await new Promise<void>((resolve) => broken.close(() => resolve()));
    }
  });
});
