import { type KeyView, keyList, keyView, rotatedKey } from '../api/views.js';
import type { CommandGroup } from '../args/command-spec.js';
import { segment } from '../http/admin-api.js';
import { renderDetails, renderTable } from '../output/render-table.js';

export const keysCommands: CommandGroup = {
  kind: 'group',
  name: 'keys',
  summary: 'the access-token signing keys and their schedule',
  commands: [
    {
      kind: 'command',
      name: 'list',
      summary: 'list published signing keys (pending, active, superseded)',
      async run(context) {
        const answer = await context.api.request('GET', '/keys', keyList);
        context.output.result(answer.raw, () =>
          renderTable(
            [
              { header: 'kid', value: (key: KeyView) => key.kid },
              { header: 'alg', value: (key) => key.alg },
              { header: 'status', value: (key) => key.status },
              { header: 'activates at', value: (key) => key.activatesAt },
              { header: 'superseded at', value: (key) => key.supersededAt },
              { header: 'retires at', value: (key) => key.retiresAt },
            ],
            answer.value.keys,
          ),
        );
      },
    },
    {
      kind: 'command',
      name: 'rotate',
      summary: 'create a new signing key; it is published first and signs after a delay',
      options: {
        'activate-in': {
          type: 'string',
          value: 'SECONDS',
          description: 'seconds until it signs (default: the server’s KEY_ACTIVATION_DELAY_SECONDS)',
        },
      },
      details: [
        'The delay lets every resource server fetch the new key before a token signed with it arrives. The old ' +
          'key stays published until the tokens it signed have expired.',
      ],
      async run(context) {
        const activateInSeconds = context.options.integer('activate-in', { min: 0, max: 7 * 24 * 3600 });
        const answer = await context.api.request('POST', '/keys/rotate', rotatedKey, {
          body: activateInSeconds === undefined ? {} : { activateInSeconds },
        });
        context.output.message(
          `New signing key ${answer.value.kid}, signing from ${answer.value.activatesAt}.`,
        );
        context.output.result(answer.raw, () =>
          renderDetails([
            ['kid', answer.value.kid],
            ['activates at', answer.value.activatesAt],
          ]),
        );
      },
    },
    {
      kind: 'command',
      name: 'retire',
      summary: 'take a key that no longer signs out of JWKS now (a leaked key)',
      arguments: '<kid>',
      details: [
        'The key that signs now cannot be retired: rotate first. Resource servers refuse the tokens a retired ' +
          'key signed once their JWKS cache refreshes. `portcullis revoke kid <kid>` makes the admin API refuse ' +
          'them at once; resource servers will once revocation propagation ships.',
      ],
      async run(context) {
        const answer = await context.api.request('POST', `/keys/${segment(context.arg(0))}/retire`, keyView);
        const key = answer.value;
        context.output.message(`Signing key ${key.kid} is ${key.status}.`);
        context.output.result(answer.raw, () =>
          renderDetails([
            ['kid', key.kid],
            ['alg', key.alg],
            ['status', key.status],
            ['activates at', key.activatesAt],
            ['superseded at', key.supersededAt],
            ['retires at', key.retiresAt],
          ]),
        );
      },
    },
  ],
};
