import { STATUS_CODES } from 'node:http';
import type { Context, Next } from 'koa';

/** Fields of an RFC 9457 problem beyond status and title. */
export interface ProblemDetails {
  detail?: string;
  type?: string;
  [extension: string]: unknown;
}

/**
 * An error the client may see, written as RFC 9457 problem+json by `problemResponses`.
 *
 * @example
 * throw new ProblemError(404, 'Not Found', { detail: 'no item with this id' });
 */
export class ProblemError extends Error {
  readonly status: number;
  readonly title: string;
  readonly details: ProblemDetails;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    title: string,
    details: ProblemDetails = {},
    headers: Record<string, string> = {},
  ) {
    super(details.detail ?? title);
    this.name = 'ProblemError';
    this.status = status;
    this.title = title;
    this.details = details;
    this.headers = headers;
  }
}

interface ErrorLogger {
  error(object: object, message: string): void;
}

/**
 * The one error serializer of an app (STYLE.md §7): ProblemErrors are written as they are, anything else
 * becomes a generic 500 — the stack, SQL or Prisma code goes to the log, never to the client. A route no one
 * answered becomes a 404 problem rather than Koa's plain text. A 5xx is logged through `ctx.state.log`
 * (requestContext's child logger, carrying the request id) when there is one, else through `logger`.
 *
 * @example
 * app.use(requestContext(logger)).use(problemResponses(logger));
 */
export function problemResponses(logger: ErrorLogger) {
  return async function writeProblems(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new ProblemError(404, 'Not Found');
    } catch (error) {
      const problem = asProblem(error);
      if (problem.status >= 500) {
        // The request's own logger (requestContext) when there is one, so the line carries the request id.
        const log: ErrorLogger = (ctx.state as { log?: ErrorLogger }).log ?? logger;
        log.error({ err: error, path: ctx.path }, 'request failed');
      }
      ctx.status = problem.status;
      ctx.set(problem.headers);
      ctx.type = 'application/problem+json';
      ctx.body = { type: 'about:blank', title: problem.title, status: problem.status, ...problem.details };
    }
  };
}

function asProblem(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  // Koa's own errors (ctx.throw, 405 from a router) are safe to show when marked `expose`.
  const koaError = error as { status?: unknown; expose?: unknown; message?: unknown; headers?: unknown };
  if (typeof koaError?.status === 'number' && koaError.status < 500 && koaError.expose === true) {
    const headers = (koaError.headers ?? {}) as Record<string, string>;
    // RFC 9457 §3.1.3: the title names the problem type; the message is this occurrence's detail.
    const title = STATUS_CODES[koaError.status] ?? 'Error';
    const detail = String(koaError.message);
    return new ProblemError(koaError.status, title, detail === title ? {} : { detail }, headers);
  }
  return new ProblemError(500, 'Internal Server Error', { detail: 'an unexpected error occurred' });
}
