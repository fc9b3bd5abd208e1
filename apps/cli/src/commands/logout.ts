import type { CommandSpec } from '../args/command-spec.js';

export const logoutCommand: CommandSpec = {
  kind: 'command',
  name: 'logout',
  summary: 'delete the session file',
  details: [
    'The token itself stays valid until it expires (minutes). To cut it off at once, revoke it first: ' +
      '`portcullis whoami --json` shows its jti, then `portcullis revoke jti <jti>`; the admin API (the only ' +
      'audience of an admin token) refuses a revoked token at once.',
  ],
  async run(context) {
    const removed = await context.sessions.remove();
    context.output.result({ removed, sessionFile: context.sessions.path }, () =>
      removed
        ? `Logged out (removed ${context.sessions.path}).`
        : 'Not logged in: no session file to remove.',
    );
  },
};
