import type { ApiOperation } from '@portcullis/service-kit';
import { z } from 'zod';

/** What `GET /me` answers (me-route.ts): the verified token's view of the caller. */
export const meView = z.strictObject({
  kind: z
    .enum(['user', 'client'])
    .describe('`user` for password/refresh grants, `client` for client_credentials'),
  subject: z.string().describe('`sub`: the user id, or the client id'),
  clientId: z.string(),
  scopes: z.array(z.string()),
  roles: z.array(z.string()),
  permissions: z.array(z.string()).describe('Direct and role-derived, as computed when the token was issued'),
  tokenId: z.string().describe('`jti`, the id revocation works on'),
  grantId: z.string().nullable().describe('The grant (refresh-token family) of a user token; null otherwise'),
  credential: z
    .enum(['access_token', 'api_key'])
    .describe(
      'What the caller presented: a bearer access token, or an API key (`tokenId` is then the key id)',
    ),
  issuedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});

/** `GET /me` of me-route.ts, for the OpenAPI document. */
export const meOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/me',
    summary: 'Who the access token says the caller is',
    description: 'Handy for a client debugging its tokens.',
    tag: 'me',
    security: {},
    responses: { 200: { description: 'The caller', body: meView } },
  },
];
