import { describe, expect, it } from '@jest/globals';
import { clientPolicyIssues } from '../../src/admin/client-policy.js';

const resourceScopes = ['items:read', 'items:write'];
const pathsFor = (grantTypes: string[], scopes: string[], firstParty = false) =>
  clientPolicyIssues({ grantTypes, scopes, firstParty }, resourceScopes).map((issue) => issue.path);

describe('clientPolicyIssues', () => {
  it('accepts the clients the token endpoint serves', () => {
    expect(pathsFor(['client_credentials'], ['items:read'])).toEqual([]);
    expect(pathsFor(['client_credentials'], ['admin'])).toEqual([]);
    expect(pathsFor(['password', 'refresh_token'], resourceScopes, true)).toEqual([]);
    expect(pathsFor(['password', 'client_credentials'], [], true)).toEqual([]);
  });

  it('keeps the password grant to first-party clients', () => {
    expect(pathsFor(['password'], [])).toEqual(['firstParty']);
  });

  it('issues refresh_token only together with password', () => {
    expect(pathsFor(['client_credentials', 'refresh_token'], [])).toEqual(['grantTypes']);
  });

  it('names each scope the server does not know', () => {
    const issues = clientPolicyIssues(
      {
        grantTypes: ['client_credentials'],
        scopes: ['items:read', 'reports:read', 'openid'],
        firstParty: false,
      },
      resourceScopes,
    );
    expect(issues.map((issue) => issue.message)).toEqual([
      expect.stringContaining('"reports:read"'),
      expect.stringContaining('"openid"'),
    ]);
  });

  it('allows the admin scope on client_credentials clients and first-party password clients only', () => {
    expect(pathsFor(['client_credentials'], ['admin'])).toEqual([]);
    expect(pathsFor(['password'], ['admin'], true)).toEqual([]);
    expect(pathsFor(['password', 'refresh_token'], ['admin'], true)).toEqual([]);
    expect(pathsFor(['password', 'client_credentials'], ['admin'], true)).toEqual([]);
    expect(pathsFor(['password'], ['admin'], false)).toEqual(['firstParty', 'scopes']);
    expect(pathsFor(['password', 'refresh_token'], ['admin', 'items:read'], false)).toEqual([
      'firstParty',
      'scopes',
    ]);
  });

  it('allows introspection only to a client with a secret', () => {
    const settings = {
      grantTypes: ['client_credentials'],
      scopes: [],
      firstParty: false,
      introspection: true,
    };
    expect(clientPolicyIssues({ ...settings, confidential: true }, resourceScopes)).toEqual([]);
    expect(clientPolicyIssues({ ...settings, confidential: false }, resourceScopes)).toEqual([
      { path: 'introspection', message: expect.stringContaining('secret') },
    ]);
    expect(
      clientPolicyIssues({ ...settings, introspection: false, confidential: false }, resourceScopes),
    ).toEqual([]);
  });
});
