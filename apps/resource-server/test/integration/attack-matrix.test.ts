import { createHmac, createPublicKey, type JsonWebKey as NodeJsonWebKey } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidTokenError, type InvalidTokenReason } from '@portcullis/guard';
import { decodeProtectedHeader, type JWK } from 'jose';
import {
  createTestSigningKey,
  encodeSegment,
  type ForgeOptions,
  forgeAccessToken,
  type JwksServer,
  startJwksServer,
  type TestSigningKey,
} from '../../../../test/support/token-forge.js';
import { otherResource, testResource } from '../../../auth-server/test/support/test-environment.js';
import { startTestResourceServer, type TestResourceServer } from '../support/test-resource-server.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/**
 * The guard's attack matrix, over real HTTP. Every refused token has a positive control built the same way
 * honestly and accepted, so a refusal proves the one thing the attack changed is what the guard caught — not a
 * wrong issuer, audience or clock elsewhere in the fixture.
 *
 * Two resource servers: the stack's, trusting the real auth server's JWKS (real tokens, forged keys), and a
 * "forge" server trusting a JWKS we publish (validly signed tokens whose header or claims are wrong).
 */

const REALM_CHALLENGE = 'Bearer realm="portcullis-items"';
const INVALID_TOKEN_CHALLENGE = `${REALM_CHALLENGE}, error="invalid_token"`;
const FORGE_ISSUER = 'https://issuer.forge.test';
/** The guard's defaults (verifier-options.ts), which the resource server config keeps. */
const MAX_TOKEN_AGE_SECONDS = 3600;
const MAX_TOKEN_BYTES = 8192;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: Record<string, unknown>;
}

/** Every answer seen in this file: none may be a 5xx, whatever was sent. */
const answers: { label: string; status: number }[] = [];

/**
 * GET over node:http rather than fetch: fetch merges repeated headers into one and refuses header bytes
 * outside Latin-1, and both are attacks here. An array value is sent as that many header lines.
 */
function get(
  baseUrl: string,
  path: string,
  headers: Record<string, string | string[]> = {},
): Promise<Answer> {
  const url = new URL(path, baseUrl);
  // Node's raw form, name/value pairs sent as they are (Host included): one line per value, in order.
  const lines = ['host', url.host];
  for (const [name, values] of Object.entries(headers)) {
    for (const value of Array.isArray(values) ? values : [values]) lines.push(name, value);
  }
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: 'GET', headers: lines }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // Left empty: the assertions on status and content type say what went wrong.
        }
        const status = response.statusCode ?? 0;
        answers.push({ label: `${path} ${JSON.stringify(headers).slice(0, 120)}`, status });
        resolve({ status, headers: response.headers, text, body });
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function expectAccepted(answer: Answer): void {
  expect({ status: answer.status, body: answer.body }).toMatchObject({
    status: 200,
    body: { items: expect.any(Array) },
  });
}

/** RFC 6750 §3.1 invalid_token, in problem+json, echoing nothing of the token. */
function expectInvalidToken(answer: Answer, token: string): void {
  expect(answer.status).toBe(401);
  const challenge = String(answer.headers['www-authenticate']);
  expect(challenge.slice(0, INVALID_TOKEN_CHALLENGE.length)).toBe(INVALID_TOKEN_CHALLENGE);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(answer.body).toMatchObject({ status: 401, error: 'invalid_token' });
  expectNoEcho(answer, token);
}

function expectNoEcho(answer: Answer, token: string): void {
  expect(answer.text).not.toContain(token);
  expect(String(answer.headers['www-authenticate'])).not.toContain(token);
}

function segments(token: string): [string, string, string] {
  const [header, payload, signature, ...rest] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined || rest.length > 0) {
    throw new Error('not a compact JWS');
  }
  return [header, payload, signature];
}

function decodeSegment(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A hand-built HS256 JWS: the algorithm-confusion attack, with whatever the attacker thinks the key is. */
function signHs256(header: Record<string, unknown>, payloadSegment: string, secret: string): string {
  const input = `${encodeSegment({ ...header, alg: 'HS256' })}.${payloadSegment}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('access-token attack matrix (GET /items)', () => {
  let stack: TestStack;
  let forge: TestResourceServer;
  let trustedJwks: JwksServer;
  let attackerJwks: JwksServer;
  /** Published by trustedJwks: the forge server accepts what it signs. */
  let trusted: TestSigningKey;
  /** Published by attackerJwks only: nothing should ever accept what it signs. */
  let attacker: TestSigningKey;
  /** A real token from the auth server, accepted by the stack's resource server. */
  let realToken: string;
  let otherRealToken: string;
  let realKid: string;
  let realJwk: JWK;
  let serviceToken: string;
  let wrongAudienceToken: string;
  let sameUserToken: string;

  const stackBase = () => ({ issuer: stack.auth.config.issuer, audience: testResource });
  const forgeBase = { issuer: FORGE_ISSUER, audience: testResource };
  const forged = (options: ForgeOptions = {}) => forgeAccessToken(trusted, forgeBase, options);
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    stack = await startTestStack();
    trusted = await createTestSigningKey('ES256');
    attacker = await createTestSigningKey('ES256');
    trustedJwks = await startJwksServer([trusted.publicJwk]);
    attackerJwks = await startJwksServer([attacker.publicJwk]);
    forge = await startTestResourceServer({
      DATABASE_URL: stack.auth.config.databaseUrl,
      ISSUER: FORGE_ISSUER,
      AUDIENCE: testResource,
      JWKS_URI: trustedJwks.url,
    });

    realToken = (await stack.userToken('matrix-viewer', ['viewer'])).token;
    otherRealToken = (await stack.userToken('matrix-viewer-2', ['viewer'])).token;
    serviceToken = await stack.serviceToken('matrix-service', ['viewer'], ['items:read']);
    const password = {
      grant_type: 'password',
      username: 'matrix-viewer',
      password: 'matrix-viewer-password',
    };
    const web = { id: 'web', secret: 'web-secret' };
    const forOther = await stack.auth.token(
      { ...password, scope: 'items:read', resource: otherResource },
      web,
    );
    const forUs = await stack.auth.token({ ...password, scope: 'items:read' }, web);
    if (forOther.status !== 200 || forUs.status !== 200) throw new Error('password grant failed');
    wrongAudienceToken = forOther.body.access_token as string;
    sameUserToken = forUs.body.access_token as string;

    realKid = decodeProtectedHeader(realToken).kid as string;
    const published = (await stack.auth.jwks()).keys.find((jwk) => jwk.kid === realKid);
    if (!published) throw new Error(`kid ${realKid} is not in the auth server's JWKS`);
    realJwk = published;
  });

  afterAll(async () => {
    await forge?.close();
    await trustedJwks?.close();
    await attackerJwks?.close();
    await stack?.close();
  });

  describe('refused with 401 invalid_token', () => {
    interface AttackCase {
      name: string;
      /** What the guard must have caught (InvalidTokenError reasons are told apart on the wire by description). */
      reason: InvalidTokenReason;
      /** Which resource server: the stack's (trusts the auth server) or the forge (trusts `trusted`). */
      target: 'stack' | 'forge';
      /** The same construction, honest: accepted with 200. */
      control: () => Promise<string> | string;
      attack: () => Promise<string> | string;
    }

    const real = () => realToken;
    const honestForgery = () => forged();

    const cases: AttackCase[] = [
      // alg none (RFC 8725 §2.1): no signature at all, or a real one the guard must not look at.
      {
        name: 'alg none with an empty signature',
        reason: 'malformed',
        target: 'stack',
        control: real,
        attack: () => `${encodeSegment({ alg: 'none', typ: 'at+jwt' })}.${segments(realToken)[1]}.`,
      },
      {
        name: 'alg none carrying a signature segment',
        reason: 'disallowed_algorithm',
        target: 'stack',
        control: real,
        attack: () => {
          const [, payload, signature] = segments(realToken);
          return `${encodeSegment({ alg: 'none', typ: 'at+jwt', kid: realKid })}.${payload}.${signature}`;
        },
      },
      {
        name: 'alg "nOnE" (case games)',
        reason: 'disallowed_algorithm',
        target: 'stack',
        control: real,
        attack: () => `${encodeSegment({ alg: 'nOnE', typ: 'at+jwt' })}.${segments(realToken)[1]}.AAAA`,
      },
      // Algorithm confusion: HMAC keyed with the public key the attacker downloaded from /jwks.
      {
        name: 'HS256 keyed with the JWKS entry as JSON',
        reason: 'disallowed_algorithm',
        target: 'stack',
        control: real,
        attack: () =>
          signHs256({ typ: 'at+jwt', kid: realKid }, segments(realToken)[1], JSON.stringify(realJwk)),
      },
      {
        name: 'HS256 keyed with the public key as PEM',
        reason: 'disallowed_algorithm',
        target: 'stack',
        control: real,
        attack: () => {
          const pem = createPublicKey({ key: realJwk as NodeJsonWebKey, format: 'jwk' })
            .export({ type: 'spki', format: 'pem' })
            .toString();
          return signHs256({ typ: 'at+jwt', kid: realKid }, segments(realToken)[1], pem);
        },
      },
      // Keys the auth server never published.
      {
        name: 'RS256 with a kid not in the JWKS',
        reason: 'disallowed_algorithm',
        target: 'stack',
        control: real,
        attack: async () => forgeAccessToken(await createTestSigningKey('RS256'), stackBase()),
      },
      {
        name: 'EdDSA with a kid not in the JWKS',
        reason: 'disallowed_algorithm',
        target: 'stack',
        control: real,
        attack: async () => forgeAccessToken(await createTestSigningKey('EdDSA'), stackBase()),
      },
      {
        name: 'ES256 with a kid not in the JWKS',
        reason: 'unknown_key',
        target: 'stack',
        control: real,
        attack: () => forgeAccessToken(attacker, stackBase()),
      },
      {
        name: 'ES256 key not in the JWKS reusing the real kid',
        reason: 'bad_signature',
        target: 'stack',
        control: real,
        attack: () => forgeAccessToken(attacker, stackBase(), { header: { kid: realKid } }),
      },
      {
        name: 'RS256 key reusing the real kid',
        reason: 'disallowed_algorithm',
        target: 'stack',
        control: real,
        attack: async () =>
          forgeAccessToken(await createTestSigningKey('RS256'), stackBase(), { header: { kid: realKid } }),
      },
      // Header parameters that would let the token pick its own key (RFC 8725 §3.10).
      {
        name: 'jku pointing to the attacker JWKS',
        reason: 'disallowed_header',
        target: 'stack',
        control: real,
        attack: () => forgeAccessToken(attacker, stackBase(), { header: { jku: attackerJwks.url } }),
      },
      {
        name: 'jku pointing to the attacker JWKS, with the real kid',
        reason: 'disallowed_header',
        target: 'stack',
        control: real,
        attack: () =>
          forgeAccessToken(attacker, stackBase(), { header: { jku: attackerJwks.url, kid: realKid } }),
      },
      {
        name: 'x5u pointing to an attacker server',
        reason: 'disallowed_header',
        target: 'stack',
        control: real,
        attack: () =>
          forgeAccessToken(attacker, stackBase(), {
            header: { x5u: attackerJwks.url.replace(/\/jwks$/, '/cert.pem') },
          }),
      },
      {
        name: 'x5c carrying an attacker certificate chain',
        reason: 'disallowed_header',
        target: 'stack',
        control: real,
        attack: () =>
          forgeAccessToken(attacker, stackBase(), {
            header: { x5c: [Buffer.from('not really a certificate').toString('base64')] },
          }),
      },
      {
        name: 'embedded jwk header with the attacker key',
        reason: 'disallowed_header',
        target: 'stack',
        control: real,
        attack: () => forgeAccessToken(attacker, stackBase(), { header: { jwk: attacker.publicJwk } }),
      },
      {
        name: 'embedded jwk header with the attacker key under the real kid',
        reason: 'disallowed_header',
        target: 'stack',
        control: real,
        attack: () =>
          forgeAccessToken(attacker, stackBase(), {
            header: { kid: realKid, jwk: { ...attacker.publicJwk, kid: realKid } },
          }),
      },
      {
        name: 'jku on a token signed by a trusted key',
        reason: 'disallowed_header',
        target: 'forge',
        control: honestForgery,
        attack: () => forged({ header: { jku: trustedJwks.url } }),
      },
      // kid tricks, signed by the trusted key: only the kid is wrong.
      ...[
        ['path traversal', '../../../dev/null'],
        ['SQL-ish', "' OR 1=1--"],
        ['empty', ''],
        ['very long', 'k'.repeat(4000)],
        ['prototype name', '__proto__'],
        ['prototype name', 'constructor'],
      ].map(
        ([kind, kid]): AttackCase => ({
          name: `kid ${kind}: ${JSON.stringify(kid).slice(0, 40)}`,
          reason: 'unknown_key',
          target: 'forge',
          control: honestForgery,
          attack: () => forged({ header: { kid } }),
        }),
      ),
      {
        name: 'kid missing',
        reason: 'unknown_key',
        target: 'forge',
        control: honestForgery,
        attack: () => forged({ header: { kid: undefined } }),
      },
      // Time claims (RFC 7519 §4.1.4-6), with the default 5 s clock tolerance well exceeded.
      {
        name: 'expired',
        reason: 'expired',
        target: 'forge',
        control: honestForgery,
        attack: () => forged({ claims: { iat: nowSeconds() - 360, exp: nowSeconds() - 60 } }),
      },
      {
        name: 'not yet valid (nbf in the future)',
        reason: 'not_yet_valid',
        target: 'forge',
        control: () => forged({ claims: { nbf: nowSeconds() - 60 } }),
        attack: () => forged({ claims: { nbf: nowSeconds() + 3600 } }),
      },
      {
        name: 'issued in the future (iat now + 1 h)',
        reason: 'issued_in_future',
        target: 'forge',
        control: honestForgery,
        attack: () => forged({ claims: { iat: nowSeconds() + 3600, exp: nowSeconds() + 3900 } }),
      },
      {
        name: 'too old (iat beyond MAX_TOKEN_AGE, exp still ahead)',
        reason: 'too_old',
        target: 'forge',
        control: () => forged({ claims: { iat: nowSeconds() - MAX_TOKEN_AGE_SECONDS + 60 } }),
        attack: () => forged({ claims: { iat: nowSeconds() - MAX_TOKEN_AGE_SECONDS - 60 } }),
      },
      // Issuer and audience (RFC 9068 §4).
      {
        name: 'wrong issuer',
        reason: 'wrong_issuer',
        target: 'forge',
        control: honestForgery,
        attack: () => forged({ claims: { iss: 'https://evil.example' } }),
      },
      {
        name: 'issuer with a trailing slash',
        reason: 'wrong_issuer',
        target: 'forge',
        control: honestForgery,
        attack: () => forged({ claims: { iss: `${FORGE_ISSUER}/` } }),
      },
      {
        name: 'wrong audience',
        reason: 'wrong_audience',
        target: 'forge',
        control: () => forged({ claims: { aud: [otherResource, testResource] } }),
        attack: () => forged({ claims: { aud: otherResource } }),
      },
      {
        name: 'real token audienced to another resource server',
        reason: 'wrong_audience',
        target: 'stack',
        control: () => sameUserToken,
        attack: () => wrongAudienceToken,
      },
      // typ (RFC 9068 §2.1, RFC 8725 §3.11): an ID token or other JWT is not an access token.
      {
        name: 'typ JWT',
        reason: 'wrong_type',
        target: 'forge',
        control: honestForgery,
        attack: () => forged({ header: { typ: 'JWT' } }),
      },
      {
        name: 'typ missing',
        reason: 'wrong_type',
        target: 'forge',
        control: honestForgery,
        attack: () => forged({ header: { typ: undefined } }),
      },
      // Required claims (RFC 9068 §2.2) and claim types.
      ...['exp', 'jti', 'client_id', 'iat', 'sub'].map(
        (claim): AttackCase => ({
          name: `${claim} missing`,
          reason: 'missing_claim',
          target: 'forge',
          control: honestForgery,
          attack: () => forged({ claims: { [claim]: undefined } }),
        }),
      ),
      {
        name: 'roles as a string instead of an array',
        reason: 'invalid_claim',
        target: 'forge',
        control: () => forged({ claims: { roles: ['admin'] } }),
        attack: () => forged({ claims: { roles: 'admin' } }),
      },
      {
        name: 'permissions as a string instead of an array',
        reason: 'invalid_claim',
        target: 'forge',
        control: honestForgery,
        attack: () => forged({ claims: { permissions: 'items:read' } }),
      },
      {
        name: 'scope as an array instead of a string',
        reason: 'invalid_claim',
        target: 'forge',
        control: honestForgery,
        attack: () => forged({ claims: { scope: ['items:read'] } }),
      },
      // Signature integrity on real tokens.
      {
        name: 'tampered payload (scope widened), original signature',
        reason: 'bad_signature',
        target: 'stack',
        control: () => serviceToken,
        attack: () => {
          const [header, payload, signature] = segments(serviceToken);
          const claims = decodeSegment(payload);
          const widened = { ...claims, scope: 'items:read items:write items:delete', roles: ['admin'] };
          return `${header}.${encodeSegment(widened)}.${signature}`;
        },
      },
      {
        name: 'signature of another real token spliced on',
        reason: 'bad_signature',
        target: 'stack',
        control: real,
        attack: () => {
          const [header, payload] = segments(realToken);
          return `${header}.${payload}.${segments(otherRealToken)[2]}`;
        },
      },
      // Size and shape.
      {
        name: `validly signed but over ${MAX_TOKEN_BYTES} bytes`,
        reason: 'too_large',
        target: 'forge',
        control: async () => {
          const token = await forged({ claims: { pad: 'x'.repeat(4000) } });
          expect(token.length).toBeLessThan(MAX_TOKEN_BYTES);
          return token;
        },
        attack: async () => {
          const token = await forged({ claims: { pad: 'x'.repeat(MAX_TOKEN_BYTES) } });
          expect(token.length).toBeGreaterThan(MAX_TOKEN_BYTES);
          return token;
        },
      },
      {
        name: 'oversized junk',
        reason: 'too_large',
        target: 'stack',
        control: real,
        attack: () => `${segments(realToken)[0]}.${'A'.repeat(MAX_TOKEN_BYTES)}.${segments(realToken)[2]}`,
      },
      ...(
        [
          ['abc', 'malformed'],
          ['a.b', 'malformed'],
          ['a.b.c', 'malformed'],
          ['e30.e30.e30', 'disallowed_algorithm'],
          ['eyJub3QganNvbg.e30.AAAA', 'malformed'],
          [Buffer.from('just some base64 junk, padded').toString('base64'), 'malformed'],
          [`${Buffer.from('+/+/').toString('base64')}.////.++++`, 'malformed'],
          ['tøkén.wïth.lätin1', 'malformed'],
          ['two words', 'malformed'],
        ] as const
      ).map(
        ([junk, reason]): AttackCase => ({
          name: `garbage ${JSON.stringify(junk)}`,
          reason,
          target: 'stack',
          control: real,
          attack: () => junk,
        }),
      ),
      {
        name: 'garbage in raw UTF-8 bytes',
        reason: 'malformed',
        target: 'stack',
        control: real,
        // Node writes header strings as Latin-1: this puts the UTF-8 bytes of the key emoji on the wire.
        attack: () => Buffer.from('jwt-🔑.🔑.🔑', 'utf8').toString('latin1'),
      },
    ];

    it.each(cases)('$name', async ({ reason, target, control, attack }) => {
      const server = target === 'stack' ? stack.api : forge;
      const honest = await control();
      expectAccepted(await get(server.url, '/items', bearer(honest)));

      const token = await attack();
      const answer = await get(server.url, '/items', bearer(token));
      expectInvalidToken(answer, token);
      expect(answer.body.detail).toBe(new InvalidTokenError(reason).message);
    });

    it('never fetched the attacker-controlled jku or x5u', () => {
      expect(attackerJwks.requests()).toBe(0);
    });

    it('forged the header cases as intended (typ really absent, kid really absent)', async () => {
      expect(decodeProtectedHeader(await forged({ header: { typ: undefined } }))).not.toHaveProperty('typ');
      expect(decodeProtectedHeader(await forged({ header: { kid: undefined } }))).not.toHaveProperty('kid');
    });
  });

  describe('accepted variants', () => {
    it('typ application/at+jwt (RFC 7515 §4.1.9: the media-type prefix may be present)', async () => {
      const token = await forged({ header: { typ: 'application/at+jwt' } });
      expectAccepted(await get(forge.url, '/items', bearer(token)));
    });

    it('a lowercase "bearer" scheme (RFC 7235 §2.1: the scheme is case-insensitive)', async () => {
      expectAccepted(await get(stack.api.url, '/items', { authorization: `bearer ${realToken}` }));
      expectAccepted(await get(stack.api.url, '/items', { authorization: `BEARER ${realToken}` }));
    });
  });

  describe('credentials sent the wrong way', () => {
    it('refuses a token in the query string with 400 invalid_request, even beside a good header', async () => {
      expectAccepted(await get(stack.api.url, '/items', bearer(realToken)));

      const query = `/items?access_token=${encodeURIComponent(realToken)}`;
      for (const answer of [
        await get(stack.api.url, query, bearer(realToken)),
        await get(stack.api.url, query),
      ]) {
        expect(answer.status).toBe(400);
        expect(answer.headers['www-authenticate']).toEqual(
          expect.stringMatching(/^Bearer realm="portcullis-items", error="invalid_request"/),
        );
        expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(answer.body).toMatchObject({ status: 400, error: 'invalid_request' });
        expectNoEcho(answer, realToken);
      }
    });

    it('refuses two Authorization headers with 400 invalid_request', async () => {
      expectAccepted(await get(stack.api.url, '/items', { authorization: [`Bearer ${realToken}`] }));

      for (const second of [`Bearer ${realToken}`, `Bearer ${otherRealToken}`, 'Basic dTpw']) {
        const answer = await get(stack.api.url, '/items', { authorization: [`Bearer ${realToken}`, second] });
        expect(answer.status).toBe(400);
        expect(answer.headers['www-authenticate']).toEqual(
          expect.stringMatching(/^Bearer realm="portcullis-items", error="invalid_request"/),
        );
        expect(answer.body).toMatchObject({ error: 'invalid_request' });
        expectNoEcho(answer, realToken);
      }
    });

    it('answers a Basic scheme with a bare 401 challenge (no error attribute: RFC 6750 §3.1)', async () => {
      expectAccepted(await get(stack.api.url, '/items', bearer(realToken)));

      const basic = Buffer.from('matrix-viewer:matrix-viewer-password').toString('base64');
      const answer = await get(stack.api.url, '/items', { authorization: `Basic ${basic}` });
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe(REALM_CHALLENGE);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({ status: 401 });
      expect(answer.body).not.toHaveProperty('error');
      expectNoEcho(answer, basic);
    });

    it('answers no Authorization header with a bare 401 challenge', async () => {
      expectAccepted(await get(stack.api.url, '/items', bearer(realToken)));

      const answer = await get(stack.api.url, '/items');
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe(REALM_CHALLENGE);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({ status: 401 });
      expect(answer.body).not.toHaveProperty('error');
    });
  });

  it('answered every request of the matrix without a 5xx', () => {
    expect(answers.length).toBeGreaterThan(100);
    expect(answers.filter((answer) => answer.status >= 500)).toEqual([]);
  });
});
