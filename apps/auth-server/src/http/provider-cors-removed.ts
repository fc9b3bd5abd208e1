import type { Context, Next } from 'koa';

const ACCESS_CONTROL = /^access-control-/i;

function accessControlHeaders(ctx: Context): Map<string, string> {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(ctx.response.headers)) {
    if (ACCESS_CONTROL.test(name)) headers.set(name, String(value));
  }
  return headers;
}

/**
 * CORS is decided by the origin allowlist in front (corsAllowlist, CORS_ORIGINS) and nowhere else.
 * oidc-provider answers CORS on its own routes (lib/shared/cors.js): on JWKS and discovery it reflects any
 * `Origin` (`*` without one), and it answers any preflight 204 with the origin reflected. It stands back
 * only when an `Access-Control-*` header is already set — which the allowlist does for an allowed origin
 * alone. So every `Access-Control-*` header added behind this point is removed: a disallowed origin gets
 * none anywhere, and with an empty allowlist there are none at all. (Its per-client check,
 * `clientBasedCORS`, refuses any origin: provider-configuration.ts.)
 */
export async function providerCorsRemoved(ctx: Context, next: Next): Promise<void> {
  const ours = accessControlHeaders(ctx);
  try {
    await next();
  } finally {
    for (const name of accessControlHeaders(ctx).keys()) if (!ours.has(name)) ctx.remove(name);
    for (const [name, value] of ours) ctx.set(name, value);
  }
}
