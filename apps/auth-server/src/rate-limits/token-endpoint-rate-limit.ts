import {
  clientAddressKey,
  type RateLimitRedis,
  type RateLimitResult,
  type RateLimitStoreChange,
} from '@portcullis/rate-limit';
import { appendRateLimitHeaders, applyRateLimit } from '@portcullis/rate-limit/koa';
import type { Context, Middleware, Next } from 'koa';
import { authenticatedClientId } from './authenticated-client-id.js';
import { basicClientId } from './basic-client-id.js';
import { writeOAuthTooManyRequests } from './oauth-too-many-requests.js';
import { createTokenEndpointCounters } from './token-endpoint-counters.js';
import { matchesProviderRoute, TOKEN_ENDPOINT_ROUTES } from './token-endpoint-routes.js';

export interface TokenEndpointRateLimitOptions {
  /** The shared Redis (fail-fast client); undefined counts per instance only. */
  redis?: RateLimitRedis | undefined;
  /** Prefix of the counters' Redis keys, e.g. `portcullis:rate-limit:`. */
  keyPrefix: string;
  /** Requests per minute to the token endpoints from one client address (IPv6: one /64). */
  perIpPerMinute: number;
  /** Requests per minute from one authenticated client. */
  perClientPerMinute: number;
  /** The routes counted; default oidc-provider's token, revocation and introspection routes. */
  routes?: readonly string[];
  /** Told when counting moves to per-instance memory (Redis down) and back; for a log line. */
  onStoreChange?: (change: RateLimitStoreChange) => void;
  /** Told the policy name (`token-ip`, `token-client`) of every request refused with 429; for a metric. */
  onRejected?: (limit: string) => void;
}

/**
 * Rate limits for the public app's token endpoints (DESIGN.md "Rate limiting"): per client address and per
 * client, shared by every instance through Redis; every counted answer carries RateLimit headers. Runs in
 * `provider.middleware`, in front of oidc-provider's router, and recognises the endpoints as that router
 * resolves them (`/TOKEN`, `/token/` included).
 *
 * The address is counted before oidc-provider runs, and a request over its limit gets 429, Retry-After and
 * an RFC 6749-shaped body. The client is charged only *after* oidc-provider has authenticated it
 * (`authenticatedClientId`): before that, its id is anyone's to write, and oidc-provider refuses many
 * requests (a wrong content type, two authentication methods, a malformed body) before it checks the
 * secret — a stranger must not spend a real client's budget with them. Ahead of oidc-provider, the client
 * named in HTTP Basic (client_secret_basic, our default method) is only *checked*: once its budget is used
 * up, it is refused with 429 without being counted.
 *
 * A client_secret_post client is charged the same way, but its id is in the form body, which this does not
 * read ahead of oidc-provider (that would mean parsing attacker input first and handing the body over
 * through oidc-provider's "already parsed body" fallback). So once over its budget it is still answered,
 * with `RateLimit: "token-client";r=0` and its requests still counted per address; it is refused only if it
 * names itself in HTTP Basic. Requests in flight together are each checked before any is charged, so a
 * burst can pass the quota by its own concurrency.
 *
 * @example
 * provider.middleware.unshift(securityHeaders, createTokenEndpointRateLimit({
 *   redis, keyPrefix: 'portcullis:rate-limit:', perIpPerMinute: 300, perClientPerMinute: 600,
 * }));
 */
export function createTokenEndpointRateLimit(options: TokenEndpointRateLimitOptions): Middleware {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createTokenEndpointRateLimit: options required');
  }
  for (const name of ['perIpPerMinute', 'perClientPerMinute'] as const) {
    if (!Number.isSafeInteger(options[name]) || options[name] < 1) {
      throw new TypeError(`createTokenEndpointRateLimit: ${name} must be a positive integer`);
    }
  }
  const { redis, keyPrefix, onStoreChange, onRejected } = options;
  if (onRejected !== undefined && typeof onRejected !== 'function') {
    throw new TypeError('createTokenEndpointRateLimit: onRejected must be a function');
  }
  const refuse = (ctx: Context, result: RateLimitResult) => {
    onRejected?.(result.policy.name);
    writeOAuthTooManyRequests(ctx, result);
  };
  const isTokenEndpoint = matchesProviderRoute(options.routes ?? TOKEN_ENDPOINT_ROUTES);
  // `token-ip` and `token-client` policies, one Redis round trip before oidc-provider and one after.
  const counters = createTokenEndpointCounters({
    redis,
    keyPrefix,
    perIpPerMinute: options.perIpPerMinute,
    perClientPerMinute: options.perClientPerMinute,
    onStoreChange,
  });

  return async function limitTokenEndpoint(ctx: Context, next: Next): Promise<void> {
    if (ctx.method !== 'POST' || !isTokenEndpoint(ctx.path)) return next();
    // The address is counted and the named client's budget only looked at, together (issue 7): a request
    // refused per address still spends nothing of its client's budget, and its headers name that limit alone.
    const named = basicClientId(ctx.get('authorization'));
    const { address, client: budget } = await counters.admit(clientAddressKey(ctx.ip), named);
    if (!applyRateLimit(ctx, address, refuse)) return;
    if (budget !== undefined && !budget.allowed) {
      applyRateLimit(ctx, budget, refuse);
      return;
    }
    await next();
    const clientId = authenticatedClientId(ctx);
    if (clientId !== undefined) appendRateLimitHeaders(ctx, await counters.charge(clientId));
  };
}
