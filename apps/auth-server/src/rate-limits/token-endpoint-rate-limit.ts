import {
  clientAddressKey,
  createRateLimiter,
  type RateLimitRedis,
  type RateLimitStoreChange,
} from '@portcullis/rate-limit';
import { applyRateLimit } from '@portcullis/rate-limit/koa';
import type { Context, Middleware, Next } from 'koa';
import { basicClientId } from './basic-client-id.js';
import { writeOAuthTooManyRequests } from './oauth-too-many-requests.js';
import { matchesProviderRoute, TOKEN_ENDPOINT_ROUTES } from './token-endpoint-routes.js';

export interface TokenEndpointRateLimitOptions {
  /** The shared Redis (fail-fast client); undefined counts per instance only. */
  redis?: RateLimitRedis | undefined;
  /** Prefix of the counters' Redis keys, e.g. `portcullis:rate-limit:`. */
  keyPrefix: string;
  /** Requests per minute to the token endpoints from one client address (IPv6: one /64). */
  perIpPerMinute: number;
  /** Requests per minute naming one client in HTTP Basic authentication. */
  perClientPerMinute: number;
  /** The routes counted; default oidc-provider's token, revocation and introspection routes. */
  routes?: readonly string[];
  /** Told when counting moves to per-instance memory (Redis down) and back; for a log line. */
  onStoreChange?: (change: RateLimitStoreChange) => void;
}

/**
 * Rate limits for the public app's token endpoints (DESIGN.md "Rate limiting"): per client address and per
 * client, shared by every instance through Redis. A request over either limit gets 429, Retry-After and an
 * RFC 6749-shaped body before oidc-provider sees it; every counted answer carries RateLimit headers.
 * Runs in `provider.middleware`, in front of oidc-provider's router, and recognises the endpoints as that
 * router resolves them (`/TOKEN`, `/token/` included).
 *
 * The client is read from the Authorization header only (client_secret_basic, our default method). Reading
 * the form body for client_secret_post's client_id would mean parsing attacker input ahead of oidc-provider
 * and handing the body over through its "already parsed body" fallback; those requests are limited per
 * address instead. The header's client id is not yet authenticated, so a request oidc-provider answers
 * with `invalid_client` is refunded: a stranger cannot spend a real client's budget.
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
  const { redis, keyPrefix, onStoreChange } = options;
  const isTokenEndpoint = matchesProviderRoute(options.routes ?? TOKEN_ENDPOINT_ROUTES);
  const perIp = createRateLimiter({
    redis,
    keyPrefix,
    name: 'token-ip',
    points: options.perIpPerMinute,
    durationSeconds: 60,
    onStoreChange,
  });
  const perClient = createRateLimiter({
    redis,
    keyPrefix,
    name: 'token-client',
    points: options.perClientPerMinute,
    durationSeconds: 60,
    onStoreChange,
  });

  return async function limitTokenEndpoint(ctx: Context, next: Next): Promise<void> {
    if (ctx.method !== 'POST' || !isTokenEndpoint(ctx.path)) return next();
    // One at a time: a request refused per address must not also spend its client's budget.
    if (!applyRateLimit(ctx, await perIp.consume(clientAddressKey(ctx.ip)), writeOAuthTooManyRequests))
      return;
    const clientId = basicClientId(ctx.get('authorization'));
    if (clientId === undefined) return next();
    if (!applyRateLimit(ctx, await perClient.consume(clientId), writeOAuthTooManyRequests)) return;
    await next();
    if (ctx.status === 401 && (ctx.body as { error?: unknown } | undefined)?.error === 'invalid_client') {
      await perClient.refund(clientId);
    }
  };
}
