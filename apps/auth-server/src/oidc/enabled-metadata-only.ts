import type { Context, Next } from 'koa';

/**
 * oidc-provider always mounts the authorization endpoint and advertises browser-flow metadata, but no
 * response type is enabled here, so those members describe nothing a client can use. RFC 8414 §2 lets
 * `authorization_endpoint` go when no grant uses it; `response_types_supported` stays (required, empty).
 */
const unusedMembers = [
  'authorization_endpoint',
  'authorization_response_iss_parameter_supported',
  'claim_types_supported',
  'claims_parameter_supported',
  'claims_supported',
  'code_challenge_methods_supported',
  'id_token_signing_alg_values_supported',
  'request_uri_parameter_supported',
  'response_modes_supported',
  'subject_types_supported',
];

export async function enabledMetadataOnly(ctx: Context, next: Next): Promise<void> {
  await next();
  if (ctx.path !== '/.well-known/openid-configuration' || ctx.status !== 200) return;
  const metadata = { ...(ctx.body as Record<string, unknown>) };
  for (const member of unusedMembers) delete metadata[member];
  metadata.scopes_supported = (metadata.scopes_supported as string[] | undefined)?.filter(
    (scope) => scope !== 'openid',
  );
  ctx.body = metadata;
}
