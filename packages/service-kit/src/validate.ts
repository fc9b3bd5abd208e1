import type { z } from 'zod';
import { ProblemError } from './problem.js';

/** Parses input with a schema; a failure is a 400 problem listing each invalid field, never a 500. */
export function validate<Schema extends z.ZodType>(schema: Schema, input: unknown): z.infer<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ProblemError(400, 'Bad Request', {
    detail: 'the request is invalid',
    errors: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  });
}
