import { anyAnswer, type UserView, userPage, userView } from '../api/views.js';
import type { CommandContext } from '../args/command-context.js';
import type { CommandGroup, OptionSpecs } from '../args/command-spec.js';
import { UsageError } from '../cli-errors.js';
import { segment } from '../http/admin-api.js';
import { readSecret } from '../io/read-secret.js';
import { renderDetails, renderTable } from '../output/render-table.js';
import { fetchListing, PAGING_OPTIONS, printListing } from './paging.js';
import { resolveUserId } from './user-reference.js';

const PASSWORD_STDIN = {
  'password-stdin': { type: 'boolean', description: 'read the password from standard input (else: prompt)' },
} as const satisfies OptionSpecs;

const USER_ARGUMENT_NOTE = '<user> is the user id or the username.';

export const usersCommands: CommandGroup = {
  kind: 'group',
  name: 'users',
  summary: 'accounts that log in with the password grant',
  commands: [
    {
      kind: 'command',
      name: 'list',
      summary: 'list users, oldest first',
      options: {
        search: { type: 'string', value: 'TEXT', description: 'only usernames or emails containing TEXT' },
        disabled: { type: 'boolean', description: 'only disabled users (--no-disabled: only enabled ones)' },
        ...PAGING_OPTIONS,
      },
      examples: ['users list --search example.com --all', 'users list --disabled --json'],
      async run(context) {
        const listing = await fetchListing(
          context,
          {
            path: '/users',
            schema: userPage,
            key: 'users',
            query: { q: context.options.string('search'), disabled: context.options.toggle('disabled') },
          },
          (page) => page.users,
        );
        printListing(context, listing, 'users', (users) =>
          renderTable(
            [
              { header: 'id', value: (user: UserView) => user.id },
              { header: 'username', value: (user) => user.username },
              { header: 'email', value: (user) => user.email },
              { header: 'disabled', value: (user) => user.disabled },
              { header: 'roles', value: (user) => user.roles },
              { header: 'permissions', value: (user) => user.permissions },
              { header: 'created', value: (user) => user.createdAt },
            ],
            users,
          ),
        );
      },
    },
    {
      kind: 'command',
      name: 'get',
      summary: 'show one user',
      arguments: '<user>',
      details: [USER_ARGUMENT_NOTE],
      async run(context) {
        const id = await resolveUserId(context, context.arg(0));
        showUser(context, await context.api.request('GET', `/users/${segment(id)}`, userView));
      },
    },
    {
      kind: 'command',
      name: 'create',
      summary: 'create a user; the password is prompted for or read from stdin',
      arguments: '<username>',
      options: {
        email: { type: 'string', value: 'EMAIL', description: 'email address' },
        role: { type: 'string', multiple: true, value: 'ROLE', description: 'assign an existing role' },
        permission: {
          type: 'string',
          multiple: true,
          value: 'PERM',
          description: 'grant a permission directly',
        },
        ...PASSWORD_STDIN,
      },
      details: [
        'The password is never a flag value: flags are visible to every user of the machine in `ps`.',
      ],
      examples: [
        'users create alice --email alice@example.com --role editor',
        'users create bot --password-stdin < <(pass show portcullis/bot)',
      ],
      async run(context) {
        // Fail on a missing login before asking for a password, not after.
        await context.access.current();
        const password = await readPassword(context);
        const roles = context.options.list('role');
        const permissions = context.options.list('permission');
        const answer = await context.api.request('POST', '/users', userView, {
          body: {
            username: context.arg(0),
            email: context.options.string('email'),
            password,
            ...(roles.length > 0 ? { roles } : {}),
            ...(permissions.length > 0 ? { permissions } : {}),
          },
        });
        context.output.message(`Created user ${answer.value.username} (${answer.value.id}).`);
        showUser(context, answer);
      },
    },
    {
      kind: 'command',
      name: 'update',
      summary: "change a user's email",
      arguments: '<user>',
      options: {
        email: { type: 'string', value: 'EMAIL', description: 'new email address' },
        'clear-email': { type: 'boolean', description: 'remove the email address' },
      },
      details: [USER_ARGUMENT_NOTE, 'To disable or enable an account use `users disable` / `users enable`.'],
      async run(context) {
        const email = context.options.string('email');
        const clear = context.options.flag('clear-email');
        if (email !== undefined && clear) throw new UsageError('give --email or --clear-email, not both');
        if (email === undefined && !clear)
          throw new UsageError('nothing to change: give --email or --clear-email');
        await patchUser(context, { email: clear ? null : email });
      },
    },
    {
      kind: 'command',
      name: 'disable',
      summary: 'disable an account: its logins stop and the tokens it has are revoked',
      arguments: '<user>',
      details: [
        USER_ARGUMENT_NOTE,
        'Its refresh tokens are deleted and a `user` revocation is recorded, so the access tokens already ' +
          'issued to it are refused too (see `revocations list`).',
      ],
      run: (context) => patchUser(context, { disabled: true }),
    },
    {
      kind: 'command',
      name: 'enable',
      summary: 'enable a disabled account',
      arguments: '<user>',
      details: [USER_ARGUMENT_NOTE],
      run: (context) => patchUser(context, { disabled: false }),
    },
    {
      kind: 'command',
      name: 'set-password',
      summary: "replace a user's password",
      arguments: '<user>',
      options: PASSWORD_STDIN,
      details: [USER_ARGUMENT_NOTE],
      async run(context) {
        const id = await resolveUserId(context, context.arg(0));
        const password = await readPassword(context);
        await context.api.request('PUT', `/users/${segment(id)}/password`, anyAnswer, { body: { password } });
        context.output.message(`Password of ${context.arg(0)} replaced.`);
      },
    },
    {
      kind: 'command',
      name: 'delete',
      summary: 'delete a user and revoke its tokens',
      arguments: '<user>',
      details: [USER_ARGUMENT_NOTE],
      async run(context) {
        const id = await resolveUserId(context, context.arg(0));
        await context.api.request('DELETE', `/users/${segment(id)}`, anyAnswer);
        context.output.message(`Deleted user ${context.arg(0)}.`);
      },
    },
    {
      kind: 'command',
      name: 'add-role',
      summary: 'assign roles to a user',
      arguments: '<user> <role>...',
      details: [USER_ARGUMENT_NOTE],
      async run(context) {
        const id = await resolveUserId(context, context.arg(0));
        const roles = context.argsFrom(1);
        showUser(
          context,
          await context.api.request('POST', `/users/${segment(id)}/roles`, userView, { body: { roles } }),
        );
      },
    },
    {
      kind: 'command',
      name: 'remove-role',
      summary: 'take a role away from a user',
      arguments: '<user> <role>',
      details: [USER_ARGUMENT_NOTE],
      async run(context) {
        const role = segment(context.arg(1));
        const id = await resolveUserId(context, context.arg(0));
        const path = `/users/${segment(id)}/roles/${role}`;
        showUser(context, await context.api.request('DELETE', path, userView));
      },
    },
    {
      kind: 'command',
      name: 'grant',
      summary: 'grant permissions to a user directly',
      arguments: '<user> <permission>...',
      details: [USER_ARGUMENT_NOTE],
      async run(context) {
        const id = await resolveUserId(context, context.arg(0));
        const permissions = context.argsFrom(1);
        const path = `/users/${segment(id)}/permissions`;
        showUser(context, await context.api.request('POST', path, userView, { body: { permissions } }));
      },
    },
    {
      kind: 'command',
      name: 'revoke-permission',
      summary: "remove a user's directly granted permission",
      arguments: '<user> <permission>',
      details: [USER_ARGUMENT_NOTE, 'Permissions that come from a role stay; remove the role instead.'],
      async run(context) {
        const permission = segment(context.arg(1));
        const id = await resolveUserId(context, context.arg(0));
        const path = `/users/${segment(id)}/permissions/${permission}`;
        showUser(context, await context.api.request('DELETE', path, userView));
      },
    },
  ],
};

async function patchUser(
  context: CommandContext,
  changes: { email?: string | null | undefined; disabled?: boolean },
) {
  const id = await resolveUserId(context, context.arg(0));
  showUser(context, await context.api.request('PATCH', `/users/${segment(id)}`, userView, { body: changes }));
}

function readPassword(context: CommandContext): Promise<string> {
  return readSecret(context.terminal, {
    fromStdin: context.options.flag('password-stdin'),
    what: 'password',
    stdinFlag: '--password-stdin',
    confirm: true,
  });
}

function showUser(context: CommandContext, answer: { value: UserView; raw: unknown }): void {
  const user = answer.value;
  context.output.result(answer.raw, () =>
    renderDetails([
      ['id', user.id],
      ['username', user.username],
      ['email', user.email],
      ['disabled', user.disabled],
      ['roles', user.roles],
      ['permissions', user.permissions],
      ['created', user.createdAt],
      ['updated', user.updatedAt],
    ]),
  );
}
