import { userPage } from '../api/views.js';
import type { CommandContext } from '../args/command-context.js';
import { ApiError } from '../cli-errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A user as the operator names them: the id, or the username (looked up with the list search, matched
 * exactly; usernames are stored lower-cased). The API itself addresses users by id only.
 */
export async function resolveUserId(context: CommandContext, reference: string): Promise<string> {
  if (UUID.test(reference)) return reference;
  const username = reference.trim().toLowerCase();
  const page = await context.api.request('GET', '/users', userPage, { query: { q: username, limit: 100 } });
  const user = page.value.users.find((candidate) => candidate.username === username);
  if (!user) throw new ApiError(404, `Not Found: no user with the username "${reference}"`);
  return user.id;
}
