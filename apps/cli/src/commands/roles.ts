import { anyAnswer, type RoleView, roleList, roleView } from '../api/views.js';
import type { CommandContext } from '../args/command-context.js';
import type { CommandGroup } from '../args/command-spec.js';
import { UsageError } from '../cli-errors.js';
import { segment } from '../http/admin-api.js';
import { renderDetails, renderTable } from '../output/render-table.js';

export const rolesCommands: CommandGroup = {
  kind: 'group',
  name: 'roles',
  summary: 'named bundles of permissions, assigned to users and clients',
  commands: [
    {
      kind: 'command',
      name: 'list',
      summary: 'list roles',
      async run(context) {
        const answer = await context.api.request('GET', '/roles', roleList);
        context.output.result(answer.raw, () =>
          answer.value.roles.length === 0
            ? 'no roles'
            : renderTable(
                [
                  { header: 'name', value: (role: RoleView) => role.name },
                  { header: 'description', value: (role) => role.description },
                  { header: 'permissions', value: (role) => role.permissions },
                ],
                answer.value.roles,
              ),
        );
      },
    },
    {
      kind: 'command',
      name: 'get',
      summary: 'show one role',
      arguments: '<name>',
      async run(context) {
        showRole(context, await context.api.request('GET', `/roles/${segment(context.arg(0))}`, roleView));
      },
    },
    {
      kind: 'command',
      name: 'create',
      summary: 'create a role',
      arguments: '<name>',
      options: {
        description: { type: 'string', value: 'TEXT', description: 'what the role is for' },
        permission: {
          type: 'string',
          multiple: true,
          value: 'PERM',
          description: 'a permission the role carries (created when new)',
        },
      },
      examples: ['roles create editor --description "edits items" --permission items:read,items:write'],
      async run(context) {
        const answer = await context.api.request('POST', '/roles', roleView, {
          body: {
            name: context.arg(0),
            description: context.options.string('description'),
            permissions: context.options.list('permission'),
          },
        });
        context.output.message(`Created role ${answer.value.name}.`);
        showRole(context, answer);
      },
    },
    {
      kind: 'command',
      name: 'update',
      summary: "change a role's description or replace its permissions",
      arguments: '<name>',
      options: {
        description: { type: 'string', value: 'TEXT', description: 'new description' },
        permission: {
          type: 'string',
          multiple: true,
          value: 'PERM',
          description: 'the complete new permission set (replaces the old one)',
        },
        'clear-permissions': { type: 'boolean', description: 'remove every permission from the role' },
      },
      details: ['Tokens already issued keep the permissions they were issued with until they expire.'],
      async run(context) {
        const { options } = context;
        const permissions = options.list('permission');
        if (permissions.length > 0 && options.flag('clear-permissions')) {
          throw new UsageError('give --permission or --clear-permissions, not both');
        }
        const body: { description?: string; permissions?: string[] } = {};
        if (options.has('description')) body.description = options.string('description');
        if (permissions.length > 0) body.permissions = permissions;
        if (options.flag('clear-permissions')) body.permissions = [];
        if (Object.keys(body).length === 0) {
          throw new UsageError('nothing to change: give --description, --permission or --clear-permissions');
        }
        showRole(
          context,
          await context.api.request('PATCH', `/roles/${segment(context.arg(0))}`, roleView, { body }),
        );
      },
    },
    {
      kind: 'command',
      name: 'delete',
      summary: 'delete a role (users and clients lose it)',
      arguments: '<name>',
      async run(context) {
        await context.api.request('DELETE', `/roles/${segment(context.arg(0))}`, anyAnswer);
        context.output.message(`Deleted role ${context.arg(0)}.`);
      },
    },
  ],
};

function showRole(context: CommandContext, answer: { value: RoleView; raw: unknown }): void {
  const role = answer.value;
  context.output.result(answer.raw, () =>
    renderDetails([
      ['name', role.name],
      ['description', role.description],
      ['permissions', role.permissions],
      ['created', role.createdAt],
    ]),
  );
}
