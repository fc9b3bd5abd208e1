import {
  anyAnswer,
  type ClientView,
  clientPage,
  clientView,
  createdClient,
  rotatedSecret,
} from '../api/views.js';
import type { CommandContext } from '../args/command-context.js';
import type { CommandGroup, OptionSpecs } from '../args/command-spec.js';
import { UsageError } from '../cli-errors.js';
import { segment } from '../http/admin-api.js';
import { renderDetails, renderTable } from '../output/render-table.js';
import { fetchListing, PAGING_OPTIONS, printListing } from './paging.js';

const SETTINGS_OPTIONS = {
  name: { type: 'string', value: 'TEXT', description: 'display name (default: the id)' },
  'grant-type': {
    type: 'string',
    multiple: true,
    value: 'GRANT',
    description: 'client_credentials, password or refresh_token',
  },
  scope: { type: 'string', multiple: true, value: 'SCOPE', description: 'a scope the client may ask for' },
  'auth-method': {
    type: 'string',
    value: 'METHOD',
    description: 'client_secret_basic (default) or client_secret_post',
  },
  'first-party': {
    type: 'boolean',
    description: 'a first-party app, allowed the password grant (--no-first-party to undo)',
  },
  introspection: {
    type: 'boolean',
    description: 'a resource server, allowed RFC 7662 token introspection (--no-introspection to undo)',
  },
} as const satisfies OptionSpecs;

const SECRET_WARNING =
  'warning: the client secret is shown only this once and cannot be read back; store it in a secret manager now';

export const clientsCommands: CommandGroup = {
  kind: 'group',
  name: 'clients',
  summary: 'OAuth clients: apps and services that get tokens',
  commands: [
    {
      kind: 'command',
      name: 'list',
      summary: 'list clients',
      options: {
        search: { type: 'string', value: 'TEXT', description: 'only ids or names containing TEXT' },
        ...PAGING_OPTIONS,
      },
      async run(context) {
        const listing = await fetchListing(
          context,
          {
            path: '/clients',
            schema: clientPage,
            key: 'clients',
            query: { q: context.options.string('search') },
          },
          (page) => page.clients,
        );
        printListing(context, listing, 'clients', (clients) =>
          renderTable(
            [
              { header: 'id', value: (client: ClientView) => client.id },
              { header: 'name', value: (client) => client.name },
              { header: 'grants', value: (client) => client.grantTypes },
              { header: 'scopes', value: (client) => client.scopes },
              { header: 'first-party', value: (client) => client.firstParty },
              { header: 'disabled', value: (client) => client.disabled },
              { header: 'roles', value: (client) => client.roles },
            ],
            clients,
          ),
        );
      },
    },
    {
      kind: 'command',
      name: 'get',
      summary: 'show one client',
      arguments: '<id>',
      async run(context) {
        showClient(
          context,
          await context.api.request('GET', `/clients/${segment(context.arg(0))}`, clientView),
        );
      },
    },
    {
      kind: 'command',
      name: 'create',
      summary: 'register a client and print its secret once',
      arguments: '<id>',
      options: {
        ...SETTINGS_OPTIONS,
        role: { type: 'string', multiple: true, value: 'ROLE', description: 'assign an existing role' },
        permission: {
          type: 'string',
          multiple: true,
          value: 'PERM',
          description: 'grant a permission directly',
        },
      },
      details: [
        'The generated secret is printed once, on stdout (in --json: the clientSecret member). The server keeps ' +
          'only a hash of it: if it is lost, rotate it with `clients rotate-secret`.',
      ],
      examples: [
        'clients create reports --grant-type client_credentials --scope items:read --permission items:read',
        'clients create ops-cli --grant-type client_credentials --scope admin --role admin --json | jq -r .clientSecret',
        'clients create orders-api --grant-type client_credentials --introspection',
      ],
      async run(context) {
        const { options } = context;
        const grantTypes = options.list('grant-type');
        const scopes = options.list('scope');
        if (grantTypes.length === 0) throw new UsageError('give at least one --grant-type');
        const roles = options.list('role');
        const permissions = options.list('permission');
        const answer = await context.api.request('POST', '/clients', createdClient, {
          body: {
            id: context.arg(0),
            name: options.string('name'),
            grantTypes,
            scopes,
            tokenEndpointAuthMethod: options.string('auth-method'),
            firstParty: options.toggle('first-party'),
            introspection: options.toggle('introspection'),
            ...(roles.length > 0 ? { roles } : {}),
            ...(permissions.length > 0 ? { permissions } : {}),
          },
        });
        context.output.note(SECRET_WARNING);
        context.output.message(`Created client ${answer.value.id}.`);
        showClient(context, answer);
        context.output.message(`\nClient secret:\n  ${answer.value.clientSecret}`);
      },
    },
    {
      kind: 'command',
      name: 'update',
      summary: "change a client's settings (lists given replace the old ones)",
      arguments: '<id>',
      options: SETTINGS_OPTIONS,
      async run(context) {
        const { options } = context;
        const body: Record<string, unknown> = {};
        if (options.has('name')) body.name = options.string('name');
        if (options.has('grant-type')) body.grantTypes = options.list('grant-type');
        if (options.has('scope')) body.scopes = options.list('scope');
        if (options.has('auth-method')) body.tokenEndpointAuthMethod = options.string('auth-method');
        if (options.has('first-party')) body.firstParty = options.toggle('first-party');
        if (options.has('introspection')) body.introspection = options.toggle('introspection');
        if (Object.keys(body).length === 0)
          throw new UsageError('nothing to change: give at least one option');
        await patchClient(context, body);
      },
    },
    {
      kind: 'command',
      name: 'disable',
      summary: 'disable a client: it gets no more tokens, and the tokens it has are revoked',
      arguments: '<id>',
      details: [
        'Its grants and refresh tokens are deleted and a `client` revocation is recorded, so the access tokens ' +
          'already issued to it are refused too (see `revocations list`).',
      ],
      run: (context) => patchClient(context, { disabled: true }),
    },
    {
      kind: 'command',
      name: 'enable',
      summary: 'enable a disabled client',
      arguments: '<id>',
      run: (context) => patchClient(context, { disabled: false }),
    },
    {
      kind: 'command',
      name: 'rotate-secret',
      summary: 'generate a new secret (the old one stops working) and print it once',
      arguments: '<id>',
      async run(context) {
        const path = `/clients/${segment(context.arg(0))}/secret`;
        const answer = await context.api.request('POST', path, rotatedSecret);
        context.output.note(SECRET_WARNING);
        context.output.result(
          answer.raw,
          () => `New secret of client ${answer.value.clientId}:\n  ${answer.value.clientSecret}`,
        );
      },
    },
    {
      kind: 'command',
      name: 'delete',
      summary: 'delete a client with its grants and refresh tokens, and revoke its access tokens',
      arguments: '<id>',
      async run(context) {
        await context.api.request('DELETE', `/clients/${segment(context.arg(0))}`, anyAnswer);
        context.output.message(`Deleted client ${context.arg(0)}.`);
      },
    },
    {
      kind: 'command',
      name: 'add-role',
      summary: 'assign roles to a client (used in its client_credentials tokens)',
      arguments: '<id> <role>...',
      async run(context) {
        const path = `/clients/${segment(context.arg(0))}/roles`;
        showClient(
          context,
          await context.api.request('POST', path, clientView, { body: { roles: context.argsFrom(1) } }),
        );
      },
    },
    {
      kind: 'command',
      name: 'remove-role',
      summary: 'take a role away from a client',
      arguments: '<id> <role>',
      async run(context) {
        const path = `/clients/${segment(context.arg(0))}/roles/${segment(context.arg(1))}`;
        showClient(context, await context.api.request('DELETE', path, clientView));
      },
    },
    {
      kind: 'command',
      name: 'grant',
      summary: 'grant permissions to a client directly',
      arguments: '<id> <permission>...',
      async run(context) {
        const path = `/clients/${segment(context.arg(0))}/permissions`;
        const body = { permissions: context.argsFrom(1) };
        showClient(context, await context.api.request('POST', path, clientView, { body }));
      },
    },
    {
      kind: 'command',
      name: 'revoke-permission',
      summary: "remove a client's directly granted permission",
      arguments: '<id> <permission>',
      async run(context) {
        const path = `/clients/${segment(context.arg(0))}/permissions/${segment(context.arg(1))}`;
        showClient(context, await context.api.request('DELETE', path, clientView));
      },
    },
  ],
};

async function patchClient(context: CommandContext, body: Record<string, unknown>): Promise<void> {
  showClient(
    context,
    await context.api.request('PATCH', `/clients/${segment(context.arg(0))}`, clientView, { body }),
  );
}

function showClient(context: CommandContext, answer: { value: ClientView; raw: unknown }): void {
  const client = answer.value;
  context.output.result(answer.raw, () =>
    renderDetails([
      ['id', client.id],
      ['name', client.name],
      ['grant types', client.grantTypes],
      ['scopes', client.scopes],
      ['auth method', client.tokenEndpointAuthMethod],
      ['first party', client.firstParty],
      ['introspection', client.introspection ?? false],
      ['disabled', client.disabled],
      ['roles', client.roles],
      ['permissions', client.permissions],
      ['has secret', client.hasSecret],
      ['created', client.createdAt],
      ['updated', client.updatedAt],
    ]),
  );
}
