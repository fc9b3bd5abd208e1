import type { ApiOperation } from '@portcullis/service-kit';
import { adminRequirement } from './admin-permissions.js';
import {
  createRevocationBody,
  listRevocationsQuery,
  revocationListView,
  revocationView,
} from './revocation-schemas.js';

/** The `/revocations` routes of revocation-routes.ts, for the OpenAPI document. */
export const revocationOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/revocations',
    summary: 'List revocations, newest first',
    description:
      'Keyset-paginated: pass `nextCursor` as `after` with the same filters. By default only records still in ' +
      'force; `active=false` adds expired ones not yet purged.',
    tag: 'revocations',
    security: adminRequirement('revocations', 'read'),
    query: listRevocationsQuery,
    responses: { 200: { description: 'One page of revocations', body: revocationListView } },
    errors: [400],
  },
  {
    method: 'post',
    path: '/revocations',
    summary: 'Revoke a token, grant, user, client or signing key',
    description: [
      '- `token`: an access token this server signed (expired or not) is recorded as kind `jti`; a refresh',
      '  token (spent or not) revokes its whole grant, recorded as kind `grant`. The token itself is never',
      '  stored, answered or audited. Anything else is a 400.',
      '- `jti`: one access token. Access tokens are not stored, so any jti is accepted.',
      "- `grant`: the grant's refresh tokens are deleted and its access tokens refused. 404 unless the grant",
      '  is still stored or was revoked before.',
      '- `user` / `client`: every refresh token and grant of the user or client is deleted; tokens issued until',
      '  now are refused. The user or client can still get new tokens: disable it to stop that. 404 if unknown.',
      '- `kid`: every token signed by the key is refused. 409 for the key that signs now: rotate first.',
      '',
      'Revoking the same thing again keeps one record with the later `revokedAt`. `expiresAt` is `revokedAt`',
      'plus the longest access-token lifetime plus clock skew: no token it concerns outlives it. Access tokens',
      'are refused by verifiers that read revocations. Audited as `admin.revocation.created`.',
    ].join('\n'),
    tag: 'revocations',
    security: adminRequirement('revocations', 'write'),
    body: createRevocationBody,
    responses: { 201: { description: 'The revocation record, durable', body: revocationView } },
    errors: [400, 404, 409, 413, 415],
  },
];
