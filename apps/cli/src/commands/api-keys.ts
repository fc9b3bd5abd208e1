import {
  API_KEY_STATUSES,
  type ApiKeyView,
  anyAnswer,
  apiKeyPage,
  apiKeyView,
  issuedApiKey,
} from '../api/views.js';
import type { CommandContext } from '../args/command-context.js';
import type { CommandGroup } from '../args/command-spec.js';
import { UsageError } from '../cli-errors.js';
import { segment } from '../http/admin-api.js';
import { renderDetails, renderTable } from '../output/render-table.js';
import { fetchListing, PAGING_OPTIONS, printListing } from './paging.js';
import { parseTimeBound } from './time-bound.js';
import { resolveUserId } from './user-reference.js';

const KEY_WARNING =
  'warning: the API key is shown only this once and cannot be read back; store it in a secret manager now';

const KEY_ARGUMENT_NOTE =
  '<id> is the key id or its visible prefix (pcl_<id>), as `api-keys list` shows; never the key itself.';

/** The admin API's bound on a rotation's overlap (POST /api-keys/{id}/rotate). */
const MAX_GRACE_SECONDS = 86_400;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

export const apiKeysCommands: CommandGroup = {
  kind: 'group',
  name: 'api-keys',
  summary: 'API keys for machines: long-lived keys sent as X-API-Key, owned by a user or a client',
  commands: [
    {
      kind: 'command',
      name: 'list',
      summary: 'list API keys (their prefixes, never the keys)',
      options: {
        user: { type: 'string', value: 'USER', description: 'only keys of this user (id or username)' },
        client: { type: 'string', value: 'CLIENT', description: 'only keys of this client' },
        status: { type: 'string', value: 'STATUS', description: `only ${API_KEY_STATUSES.join(', ')} keys` },
        ...PAGING_OPTIONS,
      },
      examples: ['api-keys list --client reports --status active', 'api-keys list --user alice --all --json'],
      async run(context) {
        const { options } = context;
        const status = options.string('status');
        if (status !== undefined && !(API_KEY_STATUSES as readonly string[]).includes(status)) {
          throw new UsageError(`--status must be one of ${API_KEY_STATUSES.join(', ')}`);
        }
        const owner = await ownerOption(context, { required: false });
        const listing = await fetchListing(
          context,
          {
            path: '/api-keys',
            schema: apiKeyPage,
            key: 'apiKeys',
            query: { ...owner, status },
          },
          (page) => page.apiKeys,
        );
        printListing(context, listing, 'API keys', (keys) =>
          renderTable(
            [
              { header: 'prefix', value: (key: ApiKeyView) => key.prefix },
              { header: 'name', value: (key) => key.name },
              { header: 'owner', value: (key) => ownerLabel(key) },
              { header: 'status', value: (key) => key.status },
              { header: 'scopes', value: (key) => key.scopes },
              { header: 'expires', value: (key) => key.expiresAt ?? 'never' },
              { header: 'created', value: (key) => key.createdAt },
            ],
            keys,
          ),
        );
      },
    },
    {
      kind: 'command',
      name: 'show',
      summary: 'show one API key',
      arguments: '<id>',
      details: [KEY_ARGUMENT_NOTE],
      async run(context) {
        const path = `/api-keys/${keyIdArgument(context.arg(0))}`;
        showApiKey(context, await context.api.request('GET', path, apiKeyView));
      },
    },
    {
      kind: 'command',
      name: 'create',
      summary: 'issue an API key to a user or a client and print it once',
      options: {
        name: { type: 'string', value: 'TEXT', description: 'what the key is for (required)' },
        user: { type: 'string', value: 'USER', description: 'the owner: a user (id or username)' },
        client: { type: 'string', value: 'CLIENT', description: 'the owner: a service client' },
        scope: { type: 'string', multiple: true, value: 'SCOPE', description: 'a scope the key carries' },
        role: {
          type: 'string',
          multiple: true,
          value: 'ROLE',
          description: 'a role of the owner the key carries',
        },
        permission: {
          type: 'string',
          multiple: true,
          value: 'PERM',
          description: 'a permission of the owner the key carries',
        },
        resource: {
          type: 'string',
          value: 'URL',
          description: 'the resource server (audience) the key is for (default: the server’s)',
        },
        'expires-in': {
          type: 'string',
          value: 'DURATION',
          description: 'expire after this long: 90d, 12h, 2w (default: never)',
        },
        'expires-at': {
          type: 'string',
          value: 'WHEN',
          description: 'expire at this ISO 8601 date/time (2027-01-31, 2027-01-31T12:00Z)',
        },
      },
      details: [
        'Give exactly one of --user and --client. The key never carries more than its owner holds: a role or ' +
          'permission later taken from the owner stops counting for the key too.',
        'The key is printed once, on stdout (in --json: the key member), with a warning on stderr. The server ' +
          'keeps only a keyed hash of it: if it is lost, rotate it with `api-keys rotate`. Callers send it in ' +
          'the X-API-Key header, on the routes that accept API keys.',
      ],
      examples: [
        'api-keys create --name nightly-export --client reports --scope items:read --permission items:read',
        'api-keys create --name "alice laptop" --user alice --scope items:read --expires-in 90d',
        'api-keys create --name ci --client ci --scope items:write --json | jq -r .key',
      ],
      async run(context) {
        const { options } = context;
        const name = options.string('name');
        if (name === undefined || name.trim() === '') throw new UsageError('give --name');
        const scopes = options.list('scope');
        if (scopes.length === 0) throw new UsageError('give at least one --scope');
        const expiresAt = expiryOption(context);
        const owner = await ownerOption(context, { required: true });
        const roles = options.list('role');
        const permissions = options.list('permission');
        const answer = await context.api.request('POST', '/api-keys', issuedApiKey, {
          body: {
            name,
            owner,
            resource: options.string('resource'),
            scopes,
            ...(roles.length > 0 ? { roles } : {}),
            ...(permissions.length > 0 ? { permissions } : {}),
            expiresAt,
          },
        });
        context.output.note(KEY_WARNING);
        context.output.message(`Created API key ${answer.value.prefix}.`);
        showApiKey(context, answer);
        context.output.message(`\nAPI key (send it as X-API-Key):\n  ${answer.value.key}`);
      },
    },
    {
      kind: 'command',
      name: 'rotate',
      summary: 'issue a replacement key with the same settings, print it once, and retire the old one',
      arguments: '<id>',
      options: {
        grace: {
          type: 'string',
          value: 'DURATION',
          description: 'how long the old key keeps working: 0 to 24h, e.g. 30m (default 0: revoked at once)',
        },
      },
      details: [
        KEY_ARGUMENT_NOTE,
        'The new key has the old one’s name, owner, resource, scopes, roles, permissions and expiry. Without ' +
          '--grace the old key is revoked at once; with it, the old key expires everywhere when the grace ' +
          'ends, so callers can switch over. A revoked or expired key cannot be rotated.',
      ],
      examples: ['api-keys rotate pcl_3f9c0a1b2c3d4e5f6a7b --grace 1h'],
      async run(context) {
        const grace = context.options.string('grace');
        const graceSeconds =
          grace === undefined
            ? undefined
            : durationSeconds('grace', grace, { min: 0, max: MAX_GRACE_SECONDS });
        const path = `/api-keys/${keyIdArgument(context.arg(0))}/rotate`;
        const answer = await context.api.request('POST', path, issuedApiKey, {
          body: graceSeconds === undefined ? {} : { graceSeconds },
        });
        context.output.note(KEY_WARNING);
        const old = graceSeconds ? `works for another ${grace}` : 'is revoked';
        context.output.message(
          `Rotated ${context.arg(0)}: the old key ${old}, the new key is ${answer.value.prefix}.`,
        );
        showApiKey(context, answer);
        context.output.message(`\nNew API key (send it as X-API-Key):\n  ${answer.value.key}`);
      },
    },
    {
      kind: 'command',
      name: 'revoke',
      summary: 'revoke an API key: every resource server refuses it within a second',
      arguments: '<id>',
      details: [
        KEY_ARGUMENT_NOTE,
        'Revoking a key that is already revoked or expired succeeds and changes nothing.',
      ],
      async run(context) {
        await context.api.request('DELETE', `/api-keys/${keyIdArgument(context.arg(0))}`, anyAnswer);
        context.output.message(`Revoked API key ${context.arg(0)}.`);
      },
    },
  ],
};

/**
 * The key an operator names, as a path segment: its id or its visible prefix. A whole key (`pcl_<id>_<secret>`)
 * is refused rather than trimmed to its id: it has already reached shell history and `ps`, and saying so now
 * is the chance to rotate it. The message does not repeat it.
 */
function keyIdArgument(reference: string): string {
  const id = reference.startsWith('pcl_') ? reference.slice('pcl_'.length) : reference;
  if (id.includes('_')) {
    throw new UsageError(
      'that looks like a whole API key: name a key by its id or prefix (pcl_<id>); a key given on the ' +
        'command line is in shell history and visible in `ps`, so rotate it',
    );
  }
  return segment(id);
}

/** `{ user: id }` or `{ client: id }` from --user / --client; at most one, and with `required` exactly one. */
async function ownerOption(
  context: CommandContext,
  { required }: { required: boolean },
): Promise<{ user: string } | { client: string } | undefined> {
  const user = context.options.string('user');
  const client = context.options.string('client');
  if (user !== undefined && client !== undefined) throw new UsageError('give --user or --client, not both');
  if (user !== undefined) return { user: await resolveUserId(context, user) };
  if (client !== undefined) {
    segment(client); // the same refusal of "", "." and ".." as for every client id
    return { client };
  }
  if (required) throw new UsageError('give the owner: --user USER or --client CLIENT');
  return undefined;
}

/** The ISO instant from --expires-in or --expires-at, which must be in the future; undefined for never. */
function expiryOption(context: CommandContext): string | undefined {
  const expiresIn = context.options.string('expires-in');
  const expiresAt = context.options.string('expires-at');
  if (expiresIn !== undefined && expiresAt !== undefined) {
    throw new UsageError('give --expires-in or --expires-at, not both');
  }
  const now = context.terminal.now();
  if (expiresIn !== undefined) {
    const seconds = durationSeconds('expires-in', expiresIn, { min: 1, max: Number.MAX_SAFE_INTEGER });
    const instant = new Date(now.getTime() + seconds * 1000);
    if (Number.isNaN(instant.getTime())) throw new UsageError(`--expires-in ${expiresIn} is too far ahead`);
    return instant.toISOString();
  }
  if (expiresAt === undefined) return undefined;
  // parseTimeBound also reads ages (2h = two hours ago): here a duration belongs in --expires-in.
  if (/^\d+[smhdw]$/.test(expiresAt)) {
    throw new UsageError(`--expires-at takes a date/time; for a duration write --expires-in ${expiresAt}`);
  }
  const instant = parseTimeBound('expires-at', expiresAt, now);
  if (new Date(instant) <= now) throw new UsageError(`--expires-at ${expiresAt} is not in the future`);
  return instant;
}

/** `90d`, `12h`, `30m`, `45s`, `2w`, or a bare number of seconds, within the bounds (in seconds). */
function durationSeconds(option: string, text: string, bounds: { min: number; max: number }): number {
  const match = /^(\d+)([smhdw]?)$/.exec(text);
  if (!match) {
    throw new UsageError(`--${option} must be a duration: a number and a unit s, m, h, d or w (90d, 12h)`);
  }
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1);
  if (!Number.isSafeInteger(seconds) || seconds < bounds.min || seconds > bounds.max) {
    throw new UsageError(`--${option} must be from ${bounds.min} to ${bounds.max} seconds`);
  }
  return seconds;
}

function ownerLabel(key: ApiKeyView): string {
  const { owner } = key;
  if (owner.type === 'client') return `client ${owner.id}`;
  return `user ${owner.username ?? owner.id}`;
}

function showApiKey(context: CommandContext, answer: { value: ApiKeyView; raw: unknown }): void {
  const key = answer.value;
  context.output.result(answer.raw, () =>
    renderDetails([
      ['id', key.id],
      ['prefix', key.prefix],
      ['name', key.name],
      ['owner', ownerLabel(key)],
      ...(key.owner.type === 'user' ? [['owner id', key.owner.id] as [string, unknown]] : []),
      ['status', key.status],
      ['resource', key.resource],
      ['scopes', key.scopes],
      ['roles', key.roles],
      ['permissions', key.permissions],
      ['expires', key.expiresAt ?? 'never'],
      ['revoked', key.revokedAt],
      ['rotated from', key.rotatedFromId],
      ['created', key.createdAt],
    ]),
  );
}
