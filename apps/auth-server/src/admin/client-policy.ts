import { ACCOUNT_SCOPE, ADMIN_SCOPE } from '../config.js';

/** The settings of a client that decide whether the token endpoint can serve it. */
export interface ClientGrantSettings {
  grantTypes: readonly string[];
  scopes: readonly string[];
  firstParty: boolean;
  /** May call RFC 7662 introspection; only a confidential client can (default false). */
  introspection?: boolean | undefined;
  /** Whether it authenticates with a secret (every client the admin API creates does; default true). */
  confidential?: boolean | undefined;
}

/** One refused setting, in the shape `validate()` reports schema failures. */
export interface ClientPolicyIssue {
  path: string;
  message: string;
}

/**
 * Why the token endpoint would refuse or misuse a client with these settings; empty when it is fine.
 * Checked at the admin API so a mistake is a 400 naming the field now, not an `unauthorized_client` or
 * `invalid_scope` at the first token request.
 *
 * @example
 * clientPolicyIssues({ grantTypes: ['password'], scopes: ['items:read'], firstParty: false }, config.scopes)
 * // → [{ path: 'firstParty', message: 'must be true for a client with the password grant ...' }]
 */
export function clientPolicyIssues(
  settings: ClientGrantSettings,
  resourceScopes: readonly string[],
): ClientPolicyIssue[] {
  const issues: ClientPolicyIssue[] = [];
  const grants = new Set(settings.grantTypes);
  if (grants.has('password') && !settings.firstParty) {
    // password-grant.ts refuses other clients: RFC 9700 §2.4 deviation kept to first-party apps.
    issues.push({ path: 'firstParty', message: 'must be true for a client with the password grant' });
  }
  if (grants.has('refresh_token') && !grants.has('password')) {
    // client_credentials never gets a refresh token (RFC 6749 §4.4.3); only the password grant issues one.
    issues.push({ path: 'grantTypes', message: 'refresh_token is only issued together with password' });
  }
  const known = new Set([ADMIN_SCOPE, ACCOUNT_SCOPE, ...resourceScopes]);
  for (const scope of settings.scopes) {
    if (!known.has(scope)) {
      issues.push({ path: 'scopes', message: `unknown scope "${scope}"; known: ${[...known].join(' ')}` });
    }
  }
  if (settings.scopes.includes(ADMIN_SCOPE) && grants.has('password') && !settings.firstParty) {
    // Admin tokens come from an admin service client (client_credentials) or an admin user logging in
    // through one of our own apps (password). Such a user token carries only the user's own admin
    // permissions (oidc/token-claims.ts), so the client adds no authority; it must still be first-party,
    // never an app we do not control collecting admins' passwords.
    issues.push({
      path: 'scopes',
      message: `"${ADMIN_SCOPE}" is only for client_credentials clients and first-party password clients`,
    });
  }
  if (settings.introspection === true && settings.confidential === false) {
    // RFC 7662 §2.1: the endpoint must authenticate its caller; a public client cannot authenticate.
    issues.push({ path: 'introspection', message: 'only a client with a secret may introspect tokens' });
  }
  return issues;
}
