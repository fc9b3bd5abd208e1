import { describe, expect, it } from '@jest/globals';
import { GuardError, InvalidRequestError, InvalidTokenError, MissingTokenError } from '../../src/errors.js';
import { extractBearerToken, headerValues } from '../../src/extract-bearer-token.js';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';

function refusalOf(authorization: readonly string[], query = ''): GuardError {
  try {
    extractBearerToken({ authorization, query });
  } catch (error) {
    expect(error).toBeInstanceOf(GuardError);
    return error as GuardError;
  }
  throw new Error('expected extractBearerToken to throw');
}

describe('extractBearerToken', () => {
  it('returns the token of a Bearer Authorization header', () => {
    expect(extractBearerToken({ authorization: [`Bearer ${TOKEN}`], query: '' })).toBe(TOKEN);
  });

  it.each([
    ['lowercase scheme', `bearer ${TOKEN}`],
    ['uppercase scheme', `BEARER ${TOKEN}`],
    ['several spaces after the scheme', `Bearer    ${TOKEN}`],
    ['surrounding whitespace', `  Bearer ${TOKEN}  `],
  ])('accepts %s', (_name, header) => {
    expect(extractBearerToken({ authorization: [header], query: '' })).toBe(TOKEN);
  });

  it.each(['abc', 'a-b_c.d~e+f/g', 'dG9rZW4=', 'dG9rZW4=='])('accepts the RFC 6750 b64token %s', (token) => {
    expect(extractBearerToken({ authorization: [`Bearer ${token}`], query: '' })).toBe(token);
  });

  it('answers a request without credentials with MissingTokenError (401, no error code)', () => {
    const refusal = refusalOf([]);
    expect(refusal).toBeInstanceOf(MissingTokenError);
    expect(refusal).toMatchObject({ status: 401, oauthError: undefined, code: 'ERR_GUARD_MISSING_TOKEN' });
  });

  it.each([
    ['Basic credentials', 'Basic dXNlcjpwYXNz'],
    ['a scheme glued to the token', `Bearer${TOKEN}`],
    ['another scheme ending in bearer', `NotBearer ${TOKEN}`],
    ['an empty header', ''],
    ['a token without a scheme', TOKEN],
  ])('treats %s as no credentials', (_name, header) => {
    expect(refusalOf([header])).toBeInstanceOf(MissingTokenError);
  });

  it.each([
    ['a scheme with a trailing space', 'Bearer '],
    ['a scheme with trailing spaces', 'Bearer    '],
    // Node strips the trailing whitespace of a header value: `Bearer ` arrives as `Bearer`.
    ['a scheme alone', 'Bearer'],
  ])('refuses empty Bearer credentials, %s, with invalid_request (400)', (_name, header) => {
    const refusal = refusalOf([header]);
    expect(refusal).toBeInstanceOf(InvalidRequestError);
    expect(refusal).toMatchObject({ status: 400, oauthError: 'invalid_request' });
    expect(refusal.message).toBe('the Bearer credentials are empty');
  });

  it('refuses two Authorization headers with invalid_request (400)', () => {
    const refusal = refusalOf([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(refusal).toBeInstanceOf(InvalidRequestError);
    expect(refusal).toMatchObject({ status: 400, oauthError: 'invalid_request' });
    expect(refusal.message).toBe('more than one Authorization header');
  });

  it.each([
    ['alone', [], `access_token=${TOKEN}`],
    ['with a header', [`Bearer ${TOKEN}`], `access_token=${TOKEN}`],
    ['among other parameters', [], `limit=5&access_token=${TOKEN}&q=x`],
    ['with an empty value', [`Bearer ${TOKEN}`], 'access_token='],
    ['percent-encoded', [], `access%5Ftoken=${TOKEN}`],
  ])('refuses an access_token in the query string %s (RFC 6750 §2.3)', (_name, headers, query) => {
    const refusal = refusalOf(headers, query);
    expect(refusal).toBeInstanceOf(InvalidRequestError);
    expect(refusal.message).toBe('access tokens are accepted only in the Authorization header');
  });

  it('ignores query parameters that merely resemble access_token', () => {
    expect(
      extractBearerToken({ authorization: [`Bearer ${TOKEN}`], query: 'my_access_token=1&access_tokens=2' }),
    ).toBe(TOKEN);
  });

  it.each([
    ['a space inside the token', `Bearer ${TOKEN} extra`],
    ['two tokens', 'Bearer abc def'],
    ['a comma', 'Bearer abc,def'],
    ['a quote', 'Bearer "abc"'],
    ['padding in the middle', 'Bearer ab=cd'],
    ['only padding', 'Bearer ==='],
    ['a non-ASCII character', 'Bearer tökén'],
    ['a control character', 'Bearer abc\u0001def'],
  ])('refuses credentials with %s as a malformed token', (_name, header) => {
    const refusal = refusalOf([header]);
    expect(refusal).toBeInstanceOf(InvalidTokenError);
    expect((refusal as InvalidTokenError).reason).toBe('malformed');
    expect(refusal.status).toBe(401);
  });
});

describe('headerValues', () => {
  it('collects every value of a header from rawHeaders, whatever the case of its name', () => {
    const rawHeaders = [
      'Host',
      'api.example.com',
      'Authorization',
      'Bearer one',
      'accept',
      'application/json',
      'AUTHORIZATION',
      'Bearer two',
      'authorization',
      'Bearer three',
    ];
    expect(headerValues(rawHeaders, 'authorization')).toEqual(['Bearer one', 'Bearer two', 'Bearer three']);
    expect(headerValues(rawHeaders, 'accept')).toEqual(['application/json']);
    expect(headerValues(rawHeaders, 'cookie')).toEqual([]);
    expect(headerValues(rawHeaders, 'Authorization')).toHaveLength(3);
  });

  it('ignores a trailing name without a value', () => {
    expect(headerValues(['Authorization', 'Bearer one', 'Authorization'], 'authorization')).toEqual([
      'Bearer one',
    ]);
  });

  it('feeds extractBearerToken so a duplicated header is caught', () => {
    const authorization = headerValues(
      ['authorization', `Bearer ${TOKEN}`, 'Authorization', 'Bearer x'],
      'authorization',
    );
    expect(() => extractBearerToken({ authorization, query: '' })).toThrow(InvalidRequestError);
  });
});
