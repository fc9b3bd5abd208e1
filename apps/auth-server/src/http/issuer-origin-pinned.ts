import type { Context, Next } from 'koa';

/**
 * Every URL the auth server writes (discovery's endpoints, `jwks_uri`) comes from ISSUER, never from the
 * request. oidc-provider builds them from `ctx.href`, i.e. from the caller's `Host` or, behind a trusted
 * proxy, `X-Forwarded-Host`/`-Proto` (which a proxy that sets no X-Forwarded-Host passes through from the
 * caller): one `Host: evil.example` would otherwise put `http://evil.example/token` into discovery, and a
 * cache in front could serve that to everyone, sending client secrets and passwords to the attacker.
 *
 * Pinning the scheme also makes `ctx.secure` (and so HSTS) follow the issuer behind a proxy: the public
 * origin is https exactly when the issuer is.
 */
export function issuerOriginPinned(issuer: string, trustProxy: boolean) {
  const { host, protocol } = new URL(issuer);
  const scheme = protocol.slice(0, -1);
  return async function pinIssuerOrigin(ctx: Context, next: Next): Promise<void> {
    const headers = ctx.req.headers;
    headers.host = host;
    if (trustProxy) {
      headers['x-forwarded-host'] = host;
      headers['x-forwarded-proto'] = scheme;
    }
    await next();
  };
}
