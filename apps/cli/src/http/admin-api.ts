import type { z } from 'zod';
import type { AdminAccess, AdminCredentials } from '../auth/admin-access.js';
import type { TransportPolicy } from '../auth/transport-policy.js';
import { ApiError, AuthError, UsageError } from '../cli-errors.js';
import { problemLines } from './problem-lines.js';
import { type HttpAnswer, sendRequest } from './send-request.js';

export type QueryValues = Record<string, string | number | boolean | undefined>;

export interface AdminAnswer<T> {
  /** The body as validated. */
  value: T;
  /** The body exactly as received, for --json. */
  raw: unknown;
  status: number;
}

/** The admin API over HTTP: bearer auth, problem+json errors as exit codes, answers validated by schema. */
export interface AdminApi {
  request<Schema extends z.ZodType>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    schema: Schema,
    options?: { query?: QueryValues; body?: unknown },
  ): Promise<AdminAnswer<z.infer<Schema>>>;
}

/** Empty, `.` and `..`, also percent-encoded (`%2e`, `.%2E`): the WHATWG URL parser treats them alike. */
const PATH_CHANGING_SEGMENT = /^(?:\.|%2e){0,2}$/i;

/**
 * One path segment, escaped: ids and names come from the command line. encodeURIComponent leaves `.` alone and
 * URL parsing then removes dot segments, so `clients remove-role web ..` would become DELETE /clients/web/ and
 * delete the client: such values are refused before any request.
 */
export function segment(value: string): string {
  if (PATH_CHANGING_SEGMENT.test(value)) {
    throw new UsageError(
      `${JSON.stringify(value)} cannot be an id or a name: empty, "." and ".." would change the URL's path`,
    );
  }
  return encodeURIComponent(value);
}

export function createAdminApi(access: AdminAccess, timeoutMs: number, transport: TransportPolicy): AdminApi {
  const send = (
    credentials: AdminCredentials,
    method: string,
    path: string,
    query?: QueryValues,
    body?: unknown,
  ) => {
    const url = new URL(`${credentials.adminUrl}${path}`);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    transport.check(url.href, 'the admin API');
    return sendRequest(
      url.href,
      {
        method,
        headers: {
          accept: 'application/json, application/problem+json',
          authorization: `Bearer ${credentials.accessToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      timeoutMs,
    );
  };

  return {
    async request(method, path, schema, options = {}) {
      let answer = await send(await access.current(), method, path, options.query, options.body);
      if (answer.status === 401) {
        // A cached token the server no longer accepts (revoked, key retired): one retry with a new one.
        const renewed = await access.renew();
        if (renewed) answer = await send(renewed, method, path, options.query, options.body);
      }
      if (answer.status < 200 || answer.status > 299) throw answerError(answer);
      const parsed = schema.safeParse(answer.json);
      if (!parsed.success) {
        throw new ApiError(
          answer.status,
          `unexpected answer from ${method} ${path}`,
          parsed.error.issues
            .slice(0, 3)
            .map((issue) => `  ${issue.path.join('.') || '(body)'}: ${issue.message}`),
        );
      }
      return { value: parsed.data, raw: answer.json, status: answer.status };
    },
  };
}

function answerError(answer: HttpAnswer): ApiError | AuthError {
  const { summary, lines } = problemLines(answer.status, answer.json);
  if (answer.status === 401) {
    return new AuthError(`the admin API refused the token: ${summary}`, ['  run `portcullis login` again']);
  }
  if (answer.status === 403) {
    return new ApiError(answer.status, summary, [
      ...lines,
      '  the client lacks a permission this needs; `portcullis whoami` lists what it has',
    ]);
  }
  return new ApiError(answer.status, summary, lines);
}
