import type { ApiOperation } from '@portcullis/service-kit';
import { adminRequirement } from './admin-permissions.js';
import { keyListView, keyView, kid, rotatedKeyView, rotateKeyBody } from './key-schemas.js';

const read = adminRequirement('keys', 'read');
const write = adminRequirement('keys', 'write');

/** The `/keys` routes of key-routes.ts, for the OpenAPI document. */
export const keyOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/keys',
    summary: 'List the signing keys JWKS publishes, oldest first',
    description: 'Public metadata only: no key material.',
    tag: 'keys',
    security: read,
    responses: { 200: { description: 'Every published key', body: keyListView } },
  },
  {
    method: 'post',
    path: '/keys/rotate',
    summary: 'Add a new signing key',
    description:
      'The key is published at once and signs after `activateInSeconds` (default KEY_ACTIVATION_DELAY_SECONDS), ' +
      'so verifiers fetch it before they meet it. The current key keeps signing until then, and stays published ' +
      'until every token it signed has expired. The body is optional. Audited as `admin.key.rotated`.',
    tag: 'keys',
    security: write,
    body: rotateKeyBody,
    responses: { 201: { description: 'The new key and when it starts signing', body: rotatedKeyView } },
    errors: [400, 413, 415],
  },
  {
    method: 'post',
    path: '/keys/:kid/retire',
    summary: 'Stop publishing a key that no longer signs',
    description:
      'Takes the key out of JWKS now instead of when its last token expires, e.g. after rotating out a leaked ' +
      'key. Every token it signed then fails everywhere once JWKS caches refresh: each auth-server instance at ' +
      'its next key reload (KEY_RELOAD_INTERVAL_SECONDS), each resource server at its JWKS refresh. The key that ' +
      'signs now is refused with 409: rotate first (`activateInSeconds: 0` for an emergency). A key superseded ' +
      'less than KEY_RELOAD_INTERVAL_SECONDS ago is refused with 409 and Retry-After, since other instances may ' +
      'still sign with it until their next reload. A pending key can ' +
      'be retired before it ever signs. Retiring a key already out of JWKS changes nothing and answers it as it ' +
      'is. Audited as `admin.key.retired`.',
    tag: 'keys',
    security: write,
    params: { kid: { description: 'The key id, as GET /keys lists it', schema: kid } },
    responses: { 200: { description: 'The key after retirement', body: keyView } },
    errors: [400, 404, 409],
  },
];
