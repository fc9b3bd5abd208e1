import { STATUS_CODES } from 'node:http';
import { z } from 'zod';

/**
 * RFC 9457 problem details as `problemResponses` and the guard write them. Loose: a problem type may add
 * members (a 409 names the conflicting `fields`, a 404 the missing `resource`). The OpenAPI documents'
 * shared `Problem` schema.
 *
 * @example
 * expect(problemDetailsView.safeParse(await response.json()).success).toBe(true);
 */
export const problemDetailsView = z
  .looseObject({
    type: z
      .string()
      .describe('URI reference naming the problem type; `about:blank` when the status code says it all'),
    title: z.string().describe('Short summary of the problem type'),
    status: z.number().int().min(400).max(599).describe('The HTTP status code'),
    detail: z.string().optional().describe('What went wrong in this occurrence'),
    instance: z.string().optional().describe('URI reference of this occurrence'),
    error: z
      .string()
      .optional()
      .describe('RFC 6750 error code on a refusal by the token guard: `invalid_token`, `insufficient_scope`'),
    errors: z
      .array(
        z.object({
          path: z.string().describe('Dotted path of the invalid field, e.g. `roles.0`'),
          message: z.string(),
        }),
      )
      .optional()
      .describe('Each invalid field of a request that failed validation (400)'),
  })
  .describe('RFC 9457 problem details');

export const PROBLEM_SCHEMA_NAME = 'Problem';

interface ProblemResponse {
  name: string;
  description: string;
  headers?: Record<string, string>;
}

/** What each status means in these APIs, written once and referenced by every operation that answers it. */
const KNOWN: Readonly<Record<number, ProblemResponse>> = {
  400: {
    name: 'BadRequest',
    description: 'The request is invalid; `errors` lists each invalid field with its path and a message.',
  },
  401: {
    name: 'Unauthorized',
    description:
      'No usable access token: missing, malformed, expired, revoked or meant for another API (RFC 6750 §3.1 ' +
      '`invalid_token`).',
    headers: { 'WWW-Authenticate': 'The `Bearer` challenge, with `error` and `error_description`' },
  },
  403: {
    name: 'Forbidden',
    description:
      'The token is valid but not enough: it lacks a required scope, role or permission (RFC 6750 §3.1 ' +
      '`insufficient_scope`, with a `WWW-Authenticate` challenge), or the caller may not act on this object.',
    headers: {
      'WWW-Authenticate': 'On `insufficient_scope`: the `Bearer` challenge naming the scope needed',
    },
  },
  404: { name: 'NotFound', description: 'No such resource.' },
  405: {
    name: 'MethodNotAllowed',
    description: 'The path exists, the method does not.',
    headers: { Allow: 'The methods the path answers' },
  },
  409: { name: 'Conflict', description: 'The change conflicts with the current state, e.g. a name in use.' },
  413: { name: 'ContentTooLarge', description: 'The request body is larger than this API accepts.' },
  415: { name: 'UnsupportedMediaType', description: 'The request body must be `application/json`.' },
  429: {
    name: 'TooManyRequests',
    description: 'Rate limited; retry later.',
    headers: { 'Retry-After': 'Seconds to wait before retrying' },
  },
  503: {
    name: 'ServiceUnavailable',
    description:
      'A dependency is unavailable (e.g. the signing keys cannot be loaded); the request was refused, not ' +
      'half-done. Retry later.',
    headers: { 'Retry-After': 'Seconds to wait before retrying' },
  },
};

/** The shared `components.responses` entry for a problem status, named after it (`NotFound`). */
export function problemResponse(status: number): ProblemResponse {
  const known = KNOWN[status];
  if (known) return known;
  const reason = STATUS_CODES[status] ?? `Status ${status}`;
  return { name: reason.replace(/[^A-Za-z0-9]/g, ''), description: `${reason}.` };
}
