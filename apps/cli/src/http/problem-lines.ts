import { z } from 'zod';

/** RFC 9457 problem details as the admin API writes them, plus its per-field `errors`. */
const problemSchema = z.looseObject({
  title: z.string().optional(),
  status: z.number().optional(),
  detail: z.string().optional(),
  /** The guard's RFC 6750 code on 401/403. */
  error: z.string().optional(),
  errors: z.array(z.looseObject({ path: z.string(), message: z.string() })).optional(),
});

/**
 * The one-line summary and the detail lines of an error answer: `Bad Request: the request is invalid` then
 * `  password: must be at least 8 characters`. Control characters are dropped: the text came off the wire.
 */
export function problemLines(status: number, body: unknown): { summary: string; lines: string[] } {
  const parsed = problemSchema.safeParse(body);
  if (!parsed.success) return { summary: `HTTP ${status} from the admin API`, lines: [] };
  const problem = parsed.data;
  const title = clean(problem.title ?? `HTTP ${status}`);
  const summary = problem.detail ? `${title}: ${clean(problem.detail)}` : title;
  const lines = (problem.errors ?? []).map(
    (field) => `  ${field.path === '' ? '(body)' : clean(field.path)}: ${clean(field.message)}`,
  );
  return { summary: `${summary} (${status})`, lines };
}

function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}
