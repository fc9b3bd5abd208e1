import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { LoginThrottledError } from '../credentials/login-throttled-error.js';
import { PasswordHashingBusyError } from '../credentials/password-hashing-busy-error.js';

/**
 * The resource owner password credentials grant (RFC 6749 §4.3). RFC 9700 §2.4 says not to offer it; we do,
 * for first-party confidential clients only, as a documented deviation (README "Security"), with argon2id,
 * uniform failures and audit. oidc-provider has no such grant: this handler builds the Grant, the JWT access
 * token and the refresh token itself, so the built-in refresh_token grant (rotation, reuse detection) works
 * on what it issues (STACK-NOTES "oidc-provider 9").
 */

export const passwordGrantType = 'password';
/** Only these parameters reach the handler; `resource` may not repeat (one audience per token). */
export const passwordGrantParameters = ['username', 'password', 'scope', 'resource'];

export type Authenticate = (request: {
  username: string;
  password: string;
  clientId: string;
  ip: string;
}) => Promise<string | undefined>;

interface ResourceServerInfo {
  scope: string;
  [key: string]: unknown;
}

export interface PasswordGrantDependencies {
  /**
   * Resolves to the user id, or undefined for an unknown user, a wrong password or a disabled account;
   * rejects with LoginThrottledError when brute-force protection refuses the attempt (answered 429), or
   * with PasswordHashingBusyError when password hashing is saturated (answered 503).
   */
  authenticate: Authenticate;
  /** The audience when the request names no `resource`, from its `scope` parameter (defaultResourceFor). */
  defaultResource: (scope: unknown) => string;
  getResourceServerInfo(ctx: KoaContextWithOIDC, resource: string): Promise<ResourceServerInfo>;
}

function requiredParameter(ctx: KoaContextWithOIDC, name: 'username' | 'password'): string {
  const value = ctx.oidc.params?.[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new errors.InvalidRequest(`missing required parameter '${name}'`);
  }
  return value;
}

function requestedScopes(ctx: KoaContextWithOIDC): string[] {
  const scope = ctx.oidc.params?.scope;
  return typeof scope === 'string' ? [...new Set(scope.split(' ').filter(Boolean))] : [];
}

function requestedResource(ctx: KoaContextWithOIDC, fallback: (scope: unknown) => string): string {
  const resource = ctx.oidc.params?.resource;
  if (resource === undefined) return fallback(ctx.oidc.params?.scope);
  if (typeof resource !== 'string') {
    throw new errors.InvalidTarget('only a single resource indicator value is supported for this grant type');
  }
  return resource;
}

/**
 * A throttled login answers 429 with Retry-After (not invalid_grant, so the client can tell "wait" from
 * "wrong password"). RFC 6749 §5.2 has no rate-limit code; `temporarily_unavailable` (§4.1.2.1) says "try
 * again later" without claiming the request was malformed, as invalid_request would.
 */
function tooManyLoginAttempts(ctx: KoaContextWithOIDC, throttled: LoginThrottledError) {
  ctx.set(throttled.headers);
  const refusal = new errors.OIDCProviderError(429, 'temporarily_unavailable');
  refusal.error_description = 'too many login attempts; retry later';
  return refusal;
}

/**
 * Password hashing is saturated (limitHashConcurrency): 503 with Retry-After (RFC 9110 §15.6.4), and
 * `temporarily_unavailable` because the server, not this client, is overloaded — unlike the lockout's 429.
 * oidc-provider hides any error of status 500 or more as `server_error` unless it is marked exposed.
 */
function hashingBusy(ctx: KoaContextWithOIDC, busy: PasswordHashingBusyError) {
  ctx.set('Retry-After', String(busy.retryAfterSeconds));
  const refusal = new errors.OIDCProviderError(503, 'temporarily_unavailable');
  refusal.error_description = 'the server is busy; retry later';
  refusal.expose = true;
  return refusal;
}

export function createPasswordGrantHandler(dependencies: PasswordGrantDependencies) {
  return async function passwordGrant(ctx: KoaContextWithOIDC): Promise<void> {
    const { client, provider } = ctx.oidc;
    if (!client) throw new errors.InvalidClient('client authentication failed');
    if (client.metadata().first_party !== true) {
      throw new errors.UnauthorizedClient('the password grant is reserved for first-party clients');
    }
    const username = requiredParameter(ctx, 'username');
    const password = requiredParameter(ctx, 'password');

    const scopes = requestedScopes(ctx);
    const allowed = new Set((client.scope ?? '').split(' '));
    const notAllowed = scopes.filter((scope) => !allowed.has(scope));
    if (notAllowed.length > 0)
      throw new errors.InvalidScope('requested scope is not allowed', notAllowed.join(' '));

    const resource = requestedResource(ctx, dependencies.defaultResource);
    const resourceServerInfo = await dependencies.getResourceServerInfo(ctx, resource);

    // Credentials last: a malformed request costs no argon2 work.
    const accountId = await dependencies
      .authenticate({ username, password, clientId: client.clientId, ip: ctx.ip })
      .catch((error: unknown) => {
        if (error instanceof LoginThrottledError) throw tooManyLoginAttempts(ctx, error);
        if (error instanceof PasswordHashingBusyError) throw hashingBusy(ctx, error);
        throw error;
      });
    if (!accountId) throw new errors.InvalidGrant('invalid username or password');

    const resourceScopes = new Set(resourceServerInfo.scope.split(' '));
    const granted = scopes.filter((scope) => resourceScopes.has(scope)).join(' ');
    const issueRefreshToken = client.grantTypeAllowed('refresh_token');

    const grant = new provider.Grant({ clientId: client.clientId, accountId });
    grant.addResourceScope(resource, granted);
    if (issueRefreshToken) grant.addOIDCScope('offline_access');
    const grantId = await grant.save();

    const accessToken = new provider.AccessToken({
      accountId,
      client,
      grantId,
      gty: passwordGrantType,
      scope: granted || undefined,
      expiresWithSession: false,
    });
    accessToken.resourceServer = new provider.ResourceServer(resource, resourceServerInfo);
    ctx.oidc.entity('AccessToken', accessToken);
    const accessTokenValue = await accessToken.save();

    let refreshTokenValue: string | undefined;
    if (issueRefreshToken) {
      const refreshToken = new provider.RefreshToken({
        accountId,
        client,
        grantId,
        gty: passwordGrantType,
        scope: granted,
        resource,
        rotations: 0,
        expiresWithSession: false,
      });
      ctx.oidc.entity('RefreshToken', refreshToken);
      refreshTokenValue = await refreshToken.save();
    }

    ctx.body = {
      access_token: accessTokenValue,
      token_type: accessToken.tokenType,
      expires_in: accessToken.expiration,
      ...(refreshTokenValue ? { refresh_token: refreshTokenValue } : {}),
      ...(granted ? { scope: granted } : {}),
    };
  };
}
