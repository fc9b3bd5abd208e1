import type { Context, Next } from 'koa';

const FORWARDED_HEADERS = ['x-forwarded-proto', 'x-forwarded-host'] as const;

/**
 * Behind `hops` proxies of ours, keeps of `X-Forwarded-Proto` and `X-Forwarded-Host` only the entry the
 * outermost of them wrote: the one `hops` from the right, as Koa's `maxIpsCount` does for
 * `X-Forwarded-For`. Koa's `ctx.protocol` and `ctx.host` read the LEFTMOST entry, which the caller writes
 * when a proxy appends rather than replaces: `X-Forwarded-Proto: https` sent over plain http would make
 * `ctx.secure` true (HSTS on an http answer), and a forged host would end up in absolute URLs built from
 * `ctx.href` (oidc-provider's `urlFor`). The headers are rewritten to that single entry before anything
 * reads them, so every later reader agrees. Use it first in the pipeline, and only with `proxy` on.
 *
 * @example
 * const app = new Koa({ proxy: true, maxIpsCount: 1 });
 * app.use(forwardedHeadersFromTrustedHops(1));
 */
export function forwardedHeadersFromTrustedHops(hops: number) {
  if (!Number.isSafeInteger(hops) || hops < 1) {
    throw new TypeError(`forwardedHeadersFromTrustedHops: hops must be a positive integer, got ${hops}`);
  }
  return async function trustedForwardedHeaders(ctx: Context, next: Next): Promise<void> {
    const headers = ctx.req.headers;
    for (const name of FORWARDED_HEADERS) {
      const value = headers[name];
      if (value === undefined) continue;
      // Node joins repeated X-Forwarded-* header lines with ", ", so one list covers both ways of appending.
      const entries = (Array.isArray(value) ? value.join(',') : value)
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      // Fewer entries than hops: the leftmost one, as ctx.ip then takes the leftmost address.
      const trusted = entries[Math.max(0, entries.length - hops)];
      if (trusted === undefined) delete headers[name];
      else headers[name] = trusted;
    }
    await next();
  };
}
