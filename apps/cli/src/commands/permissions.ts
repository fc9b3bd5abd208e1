import { anyAnswer, type PermissionView, permissionList, permissionView } from '../api/views.js';
import type { CommandGroup } from '../args/command-spec.js';
import { segment } from '../http/admin-api.js';
import { renderDetails, renderTable } from '../output/render-table.js';

export const permissionsCommands: CommandGroup = {
  kind: 'group',
  name: 'permissions',
  summary: '`resource:action` strings that roles bundle and tokens carry',
  commands: [
    {
      kind: 'command',
      name: 'list',
      summary: 'list permissions and the roles that carry them',
      async run(context) {
        const answer = await context.api.request('GET', '/permissions', permissionList);
        context.output.result(answer.raw, () =>
          answer.value.permissions.length === 0
            ? 'no permissions'
            : renderTable(
                [
                  { header: 'name', value: (permission: PermissionView) => permission.name },
                  { header: 'description', value: (permission) => permission.description },
                  { header: 'roles', value: (permission) => permission.roles },
                ],
                answer.value.permissions,
              ),
        );
      },
    },
    {
      kind: 'command',
      name: 'create',
      summary: 'create a permission',
      arguments: '<name>',
      options: { description: { type: 'string', value: 'TEXT', description: 'what it allows' } },
      examples: ['permissions create items:export --description "download every item as CSV"'],
      async run(context) {
        const answer = await context.api.request('POST', '/permissions', permissionView, {
          body: { name: context.arg(0), description: context.options.string('description') },
        });
        context.output.message(`Created permission ${answer.value.name}.`);
        context.output.result(answer.raw, () =>
          renderDetails([
            ['name', answer.value.name],
            ['description', answer.value.description],
          ]),
        );
      },
    },
    {
      kind: 'command',
      name: 'delete',
      summary: 'delete a permission (roles, users and clients lose it)',
      arguments: '<name>',
      async run(context) {
        await context.api.request('DELETE', `/permissions/${segment(context.arg(0))}`, anyAnswer);
        context.output.message(`Deleted permission ${context.arg(0)}.`);
      },
    },
  ],
};
