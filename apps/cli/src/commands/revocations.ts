import { REVOCATION_KINDS, type RevocationView, revocationPage, revocationView } from '../api/views.js';
import type { CommandGroup, CommandSpec } from '../args/command-spec.js';
import { UsageError } from '../cli-errors.js';
import { readStdin } from '../io/read-secret.js';
import { renderDetails, renderTable } from '../output/render-table.js';
import { fetchListing, PAGING_OPTIONS, printListing } from './paging.js';

type RevocationKind = (typeof REVOCATION_KINDS)[number];
/** What records are stored as: a revoked `token` is recorded by its jti (or its grant). */
const RECORD_KINDS = REVOCATION_KINDS.filter((kind) => kind !== 'token');

const TOKEN_ARGUMENT_WARNING =
  'warning: a token on the command line is visible to other users in `ps` and stays in shell history; ' +
  'pass "-" and pipe it on stdin instead';

export const revokeCommand: CommandSpec = {
  kind: 'command',
  name: 'revoke',
  summary: 'revoke tokens: one token, a jti, a grant, everything of a user or client, or a signing key',
  arguments: '<kind> <value>',
  options: { reason: { type: 'string', value: 'TEXT', description: 'why, for the audit log' } },
  details: [
    `<kind> is one of ${REVOCATION_KINDS.join(', ')}. For "token", pass the access token as "-" and pipe ` +
      'it on stdin: a token on the command line is visible to every user of the machine in `ps`.',
    'For "token" the server records the token’s jti (or its grant) and shows that, never the token.',
    'At once: the record is stored (PostgreSQL), the refresh tokens and grants it covers are deleted, and the ' +
      'admin API refuses revoked admin tokens. Resource servers do not check revocations until revocation ' +
      'propagation ships: there, revoked access tokens work until they expire (minutes).',
  ],
  examples: [
    'revoke user 0b6f…e1 --reason "laptop stolen"',
    'revoke client reports-service',
    'revoke token - < token.txt',
  ],
  async run(context) {
    const kind = context.arg(0);
    if (!isKind(kind)) throw new UsageError(`<kind> must be one of ${REVOCATION_KINDS.join(', ')}`);
    let value = context.arg(1);
    if (value === '-') value = (await readStdin(context.terminal.stdin)).trim();
    else if (kind === 'token') context.output.note(TOKEN_ARGUMENT_WARNING);
    if (value === '') throw new UsageError('<value> is empty');
    const answer = await context.api.request('POST', '/revocations', revocationView, {
      body: { kind, value, reason: context.options.string('reason') },
    });
    const revocation = answer.value;
    context.output.message(`Revoked ${revocation.kind} ${revocation.value}.`);
    context.output.result(answer.raw, () =>
      renderDetails([
        ['id', revocation.id],
        ['kind', revocation.kind],
        ['value', revocation.value],
        ['revoked at', revocation.revokedAt],
        ['expires at', revocation.expiresAt ?? 'never'],
        ['reason', revocation.reason],
        ['by', revocation.actor],
      ]),
    );
  },
};

export const revocationsCommands: CommandGroup = {
  kind: 'group',
  name: 'revocations',
  summary: 'what has been revoked (create with `portcullis revoke`)',
  commands: [
    {
      kind: 'command',
      name: 'list',
      summary: 'list revocations, newest first',
      options: {
        kind: {
          type: 'string',
          value: 'KIND',
          description: `only this kind (${RECORD_KINDS.join(', ')})`,
        },
        'include-expired': { type: 'boolean', description: 'also list expired ones not yet purged' },
        ...PAGING_OPTIONS,
      },
      async run(context) {
        const kind = context.options.string('kind');
        if (kind !== undefined && !(RECORD_KINDS as readonly string[]).includes(kind)) {
          throw new UsageError(`--kind must be one of ${RECORD_KINDS.join(', ')}`);
        }
        const listing = await fetchListing(
          context,
          {
            path: '/revocations',
            schema: revocationPage,
            key: 'revocations',
            query: { kind, active: context.options.flag('include-expired') ? false : undefined },
          },
          (page) => page.revocations,
        );
        printListing(context, listing, 'revocations', (revocations) =>
          renderTable(
            [
              { header: 'revoked at', value: (revocation: RevocationView) => revocation.revokedAt },
              { header: 'kind', value: (revocation) => revocation.kind },
              { header: 'value', value: (revocation) => revocation.value },
              { header: 'expires at', value: (revocation) => revocation.expiresAt ?? 'never' },
              { header: 'by', value: (revocation) => revocation.actor },
              { header: 'reason', value: (revocation) => revocation.reason },
            ],
            revocations,
          ),
        );
      },
    },
  ],
};

function isKind(value: string): value is RevocationKind {
  return (REVOCATION_KINDS as readonly string[]).includes(value);
}
