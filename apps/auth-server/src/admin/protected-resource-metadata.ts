import Router from '@koa/router';
import type { GuardState } from '@portcullis/guard/koa';
import { z } from 'zod';

/** RFC 9728 §2: the members Portcullis publishes for its admin API. */
export const protectedResourceMetadataView = z.object({
  resource: z.url(),
  authorization_servers: z.array(z.url()).min(1),
  scopes_supported: z.array(z.string()),
  bearer_methods_supported: z.array(z.enum(['header', 'body', 'query'])),
  resource_name: z.string(),
});
export type ProtectedResourceMetadata = z.infer<typeof protectedResourceMetadataView>;

export interface ProtectedResourceMetadataOptions {
  /** The admin API's resource indicator (config.admin.resource): the audience of its tokens. */
  resource: string;
  /** The issuer that hands out those tokens. */
  issuer: string;
  scope: string;
}

export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/**
 * `GET /.well-known/oauth-protected-resource` (RFC 9728 §3): tells a client such as the `portcullis` CLI,
 * which knows only the admin URL, which audience and scope to ask for and where. Public by design — it holds
 * nothing a token-less caller could misuse — so it sits outside the guard.
 */
export function createProtectedResourceMetadataRoutes(
  options: ProtectedResourceMetadataOptions,
): Router<GuardState> {
  const metadata: ProtectedResourceMetadata = protectedResourceMetadataView.parse({
    resource: options.resource,
    authorization_servers: [options.issuer],
    scopes_supported: [options.scope],
    // The guard reads the Authorization header only; RFC 6750 §2.3 query tokens leak into logs.
    bearer_methods_supported: ['header'],
    resource_name: 'Portcullis admin API',
  });
  const router = new Router<GuardState>();
  router.get(PROTECTED_RESOURCE_METADATA_PATH, (ctx) => {
    ctx.body = metadata;
  });
  return router;
}
