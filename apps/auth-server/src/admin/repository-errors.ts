import { AdminConflictError, AdminNotFoundError, InvalidCursorError } from '@portcullis/db';
import { ProblemError } from '@portcullis/service-kit';
import type { Context, Next } from 'koa';

/**
 * Maps the repositories' typed errors to problems: a taken name is 409, a name that does not exist is 404,
 * a foreign cursor is 400. Anything else stays a 500 with nothing leaked (problemResponses).
 */
export async function repositoryErrorsAsProblems(_ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    if (error instanceof AdminConflictError) {
      throw new ProblemError(409, 'Conflict', { detail: error.message, fields: error.fields });
    }
    if (error instanceof AdminNotFoundError) {
      throw new ProblemError(404, 'Not Found', { detail: error.message, resource: error.resource });
    }
    if (error instanceof InvalidCursorError) {
      throw new ProblemError(400, 'Bad Request', { detail: 'after is not a cursor from this API' });
    }
    throw error;
  }
}
