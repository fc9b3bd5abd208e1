import { userPage } from '../api/views.js';
import type { CommandContext } from '../args/command-context.js';
import { ApiError } from '../cli-errors.js';
import { segment } from '../http/admin-api.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A user as the operator names them: the id, or the username (looked up with the list search, matched
 * exactly; usernames are stored lower-cased). The API itself addresses users by id only. The search matches
 * substrings of usernames and emails, so the exact match can sit on any page: every page is read until it is
 * found. A repeated cursor ends the walk rather than looping against a misbehaving server.
 */
export async function resolveUserId(context: CommandContext, reference: string): Promise<string> {
  segment(reference); // "", "." and ".." are refused before any request, as for every path segment.
  if (UUID.test(reference)) return reference;
  const username = reference.trim().toLowerCase();
  const seen = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await context.api.request('GET', '/users', userPage, {
      query: { q: username, limit: 100, after },
    });
    const user = page.value.users.find((candidate) => candidate.username === username);
    if (user) return user.id;
    const next = page.value.nextCursor;
    if (next === null || seen.has(next)) break;
    seen.add(next);
    after = next;
  }
  throw new ApiError(404, `Not Found: no user with the username "${reference}"`);
}
