import type { ApiOperation } from '@portcullis/service-kit';
import {
  PROTECTED_RESOURCE_METADATA_PATH,
  protectedResourceMetadataView,
} from './protected-resource-metadata.js';

export const protectedResourceMetadataOperations: ApiOperation[] = [
  {
    method: 'get',
    path: PROTECTED_RESOURCE_METADATA_PATH,
    summary: 'OAuth 2.0 protected resource metadata (RFC 9728)',
    description:
      'Which authorization server issues tokens for this API, the resource indicator (token audience) and ' +
      'scope to request, and how to send the token. Needs no token.',
    tag: 'metadata',
    responses: { 200: { description: 'The metadata document', body: protectedResourceMetadataView } },
  },
];
