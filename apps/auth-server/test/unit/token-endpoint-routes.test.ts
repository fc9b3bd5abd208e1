import { describe, expect, it } from '@jest/globals';
import { basicClientId } from '../../src/rate-limits/basic-client-id.js';
import { matchesProviderRoute, TOKEN_ENDPOINT_ROUTES } from '../../src/rate-limits/token-endpoint-routes.js';

describe('matchesProviderRoute (oidc-provider router semantics)', () => {
  const isTokenEndpoint = matchesProviderRoute(TOKEN_ENDPOINT_ROUTES);

  it.each(['/token', '/TOKEN', '/Token', '/token/', '/TOKEN/', '/token/revocation', '/token/INTROSPECTION/'])(
    'matches %s',
    (path) => expect(isTokenEndpoint(path)).toBe(true),
  );

  it.each([
    '/token//',
    '/%74oken',
    '/tokens',
    '/token/x',
    '/',
    '',
    '/token/revocation//',
    // Non-ASCII letters whose upper case is ASCII: oidc-provider's fold keeps them as they are.
    '/introſpection',
    '/token/revocatıon',
  ])('does not match %s', (path) => expect(isTokenEndpoint(path)).toBe(false));

  it('refuses a parameterised or non-ASCII route', () => {
    expect(() => matchesProviderRoute(['/reg/:id'])).toThrow(TypeError);
    expect(() => matchesProviderRoute(['/tökén'])).toThrow(TypeError);
    expect(() => matchesProviderRoute(['token'])).toThrow(TypeError);
  });
});

describe('basicClientId', () => {
  const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;

  it.each([
    [basic('web-app:secret'), 'web-app'],
    [basic('web%20app:secret'), 'web app'],
    [basic('web+app:secret'), 'web app'],
    [basic('web-app:'), 'web-app'],
    [`bAsIc ${Buffer.from('web-app:s').toString('base64')}`, 'web-app'],
  ])('%s -> %s', (header, clientId) => expect(basicClientId(header)).toBe(clientId));

  it.each([
    [undefined],
    [''],
    ['Bearer abc'],
    [basic(':secret')],
    [basic('no-colon')],
    [basic('%E0%A4%A:secret')],
    [basic(`${'x'.repeat(201)}:secret`)],
    ['Basic !!!'],
  ])('%s -> undefined', (header) => expect(basicClientId(header)).toBeUndefined());
});
