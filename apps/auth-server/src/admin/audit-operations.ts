import type { ApiOperation } from '@portcullis/service-kit';
import { adminRequirement } from './admin-permissions.js';
import { auditPageView, auditQuery } from './audit-schemas.js';

/** The `/audit` route of audit-routes.ts, for the OpenAPI document. */
export const auditOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/audit',
    summary: 'Query the audit log, newest first',
    description:
      'Filters combine with AND. `type` may repeat or hold a comma-separated list (any of them matches). ' +
      '`since` (inclusive) and `until` (exclusive) are ISO 8601 instants with a zone, or dates (UTC midnight); ' +
      '`since` must be before `until`. Keyset-paginated: pass `nextCursor` as `after` with the same filters.',
    tag: 'audit',
    security: adminRequirement('audit', 'read'),
    query: auditQuery,
    responses: { 200: { description: 'One page of events', body: auditPageView } },
    errors: [400],
  },
];
