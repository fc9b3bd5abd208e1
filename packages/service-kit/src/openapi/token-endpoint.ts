import { z } from 'zod';

export type TokenGrantType = 'client_credentials' | 'password' | 'refresh_token';

export const TOKEN_GRANT_TYPES: readonly TokenGrantType[] = [
  'client_credentials',
  'password',
  'refresh_token',
];

/** The form fields of a token request (RFC 6749 §4.3.2, §4.4.2, §6; RFC 8707 §2.2), for the grants offered. */
export function tokenRequestSchema(grantTypes: readonly TokenGrantType[]) {
  const offers = (grant: TokenGrantType) => grantTypes.includes(grant);
  return z.object({
    grant_type: z.enum(grantTypes as [TokenGrantType, ...TokenGrantType[]]).describe(grantTypes.join(', ')),
    scope: z
      .string()
      .optional()
      .describe('Space-separated scopes; the token carries the granted subset (not used by refresh_token)'),
    resource: z
      .url()
      .optional()
      .describe('RFC 8707 resource indicator: the API the token is for, which becomes its `aud`'),
    ...(offers('password')
      ? {
          username: z.string().optional().describe('password grant: the user'),
          password: z.string().optional().describe("password grant: the user's password"),
        }
      : {}),
    ...(offers('refresh_token')
      ? {
          refresh_token: z
            .string()
            .optional()
            .describe('refresh_token grant: the refresh token; each one works once (rotation)'),
        }
      : {}),
    client_id: z
      .string()
      .optional()
      .describe('client_secret_post only; otherwise authenticate with HTTP Basic (RFC 6749 §2.3.1)'),
    client_secret: z.string().optional().describe('client_secret_post only'),
  });
}

/** RFC 6749 §5.1. */
export const tokenResponseView = z.object({
  access_token: z.string().describe('An RFC 9068 JWT (`typ: at+jwt`)'),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().describe('Seconds until the access token expires'),
  scope: z.string().optional().describe('The granted scopes, space-separated'),
  refresh_token: z.string().optional().describe('password and refresh_token grants only'),
});

/** RFC 6749 §5.2, with RFC 8707's `invalid_target`. */
export const tokenErrorView = z.object({
  error: z.enum([
    'invalid_request',
    'invalid_client',
    'invalid_grant',
    'unauthorized_client',
    'unsupported_grant_type',
    'invalid_scope',
    'invalid_target',
  ]),
  error_description: z.string().optional(),
});

const GRANT_DESCRIPTIONS: Readonly<Record<TokenGrantType, string>> = {
  client_credentials: '- `client_credentials` (RFC 6749 §4.4): a service acting as itself; no refresh token.',
  password:
    '- `password` (RFC 6749 §4.3): first-party confidential clients only; `username` and `password` required.',
  refresh_token:
    '- `refresh_token` (RFC 6749 §6): a new access token and a new refresh token; reusing a spent refresh ' +
    'token revokes the whole grant.',
};

export function tokenEndpointDescription(grantTypes: readonly TokenGrantType[]): string {
  return [
    "The authorization server's token endpoint (RFC 6749 §3.2). The issuer serves it, not this API: the",
    "operation's server is the issuer. Send the parameters form-encoded and authenticate the client with HTTP",
    'Basic (`client_secret_basic`) or with `client_id` and `client_secret` in the form (`client_secret_post`),',
    'as the client is registered.',
    '',
    ...grantTypes.map((grant) => GRANT_DESCRIPTIONS[grant]),
    '',
    'Errors are RFC 6749 §5.2 JSON objects (`error`, `error_description`), not problem details.',
  ].join('\n');
}
