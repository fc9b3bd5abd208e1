import { type AuditEventView, auditPage } from '../api/views.js';
import type { CommandContext } from '../args/command-context.js';
import type { CommandSpec } from '../args/command-spec.js';
import { renderTable } from '../output/render-table.js';
import { fetchListing, PAGING_OPTIONS, printListing } from './paging.js';
import { parseTimeBound } from './time-bound.js';

export const auditCommand: CommandSpec = {
  kind: 'command',
  name: 'audit',
  summary: 'search the audit log, newest first',
  options: {
    actor: { type: 'string', value: 'ID', description: 'who acted (a user id, client id or "system")' },
    subject: { type: 'string', value: 'ID', description: 'whom or what it concerns' },
    client: { type: 'string', value: 'ID', description: 'the client involved' },
    type: {
      type: 'string',
      multiple: true,
      value: 'TYPE',
      description: 'event type, e.g. admin.user.created; several match any of them',
    },
    since: {
      type: 'string',
      value: 'WHEN',
      description: 'from this time on: ISO 8601 or an age (30m, 2h, 7d)',
    },
    until: { type: 'string', value: 'WHEN', description: 'before this time: ISO 8601 or an age' },
    details: { type: 'boolean', description: 'add a column with each event’s details' },
    ...PAGING_OPTIONS,
  },
  examples: ['audit --type login.failed --since 1h', 'audit --subject 0b6f…e1 --all --json | jq .events'],
  async run(context) {
    const listing = await fetchListing(
      context,
      { path: '/audit', schema: auditPage, key: 'events', query: auditQuery(context) },
      (page) => page.events,
    );
    const withDetails = context.options.flag('details');
    printListing(context, listing, 'events', (events) =>
      renderTable(
        [
          { header: 'occurred at', value: (event: AuditEventView) => event.occurredAt },
          { header: 'type', value: (event) => event.type },
          { header: 'actor', value: (event) => event.actor },
          { header: 'subject', value: (event) => event.subject },
          { header: 'client', value: (event) => event.clientId },
          { header: 'ip', value: (event) => event.ip },
          ...(withDetails ? [{ header: 'details', value: (event: AuditEventView) => event.details }] : []),
        ],
        events,
      ),
    );
  },
};

function auditQuery(context: CommandContext) {
  const { options } = context;
  const now = context.terminal.now();
  const since = options.string('since');
  const until = options.string('until');
  return {
    actor: options.string('actor'),
    subject: options.string('subject'),
    clientId: options.string('client'),
    type: options.list('type').join(',') || undefined,
    since: since === undefined ? undefined : parseTimeBound('since', since, now),
    until: until === undefined ? undefined : parseTimeBound('until', until, now),
  };
}
