import type { CommandContext } from '../args/command-context.js';
import type { CommandSpec } from '../args/command-spec.js';
import { obtainAdminToken } from '../auth/obtain-admin-token.js';
import { UsageError } from '../cli-errors.js';
import type { Session } from '../config/session-store.js';
import { readSecret } from '../io/read-secret.js';
import { renderDetails } from '../output/render-table.js';

export const loginCommand: CommandSpec = {
  kind: 'command',
  name: 'login',
  summary: 'get an admin token with client credentials and keep it in the session file',
  options: {
    'client-secret-stdin': { type: 'boolean', description: 'read the client secret from standard input' },
    'client-secret': {
      type: 'string',
      value: 'SECRET',
      description: 'the client secret itself — visible to other users in `ps`; prefer the alternatives',
    },
  },
  details: [
    'The CLI reads the admin listener’s RFC 9728 metadata for the issuer, the resource and the scope, the ' +
      'issuer’s discovery document for its token endpoint, then runs the client_credentials grant. The client ' +
      'needs the client_credentials grant, the "admin" scope, client_secret_basic authentication and the ' +
      'admin:<resource>:read|write permissions for what it will do.',
    'The secret comes from --client-secret-stdin, else PORTCULLIS_CLIENT_SECRET, else a prompt (no echo). Only ' +
      'the access token is saved (mode 0600) — never the secret — so the session lasts one token lifetime ' +
      '(10 minutes by default). With PORTCULLIS_CLIENT_SECRET set, commands renew it by themselves.',
    'The token endpoint must be on the same origin as the issuer’s discovery document (the --issuer-url one when ' +
      'given), and plain http is refused except to loopback (see --insecure-http). The session remembers the ' +
      'issuer and token endpoint: an automatic renewal refuses (exit 3) if discovery later names others.',
    'Without --admin-url, login reuses the current session’s admin URL; without --client-id, its client id ' +
      'when the admin URL is the same.',
  ],
  examples: [
    'login --admin-url http://127.0.0.1:4100 --client-id ops-cli',
    'login --admin-url https://auth-admin.internal:4100 --client-id ops-cli --client-secret-stdin < secret.txt',
  ],
  async run(context) {
    const { settings, sessions, terminal, output } = context;
    const previous = await sessions.load().catch(() => null);
    const adminUrl = settings.adminUrl ?? previous?.adminUrl;
    if (!adminUrl) throw new UsageError('give --admin-url (or set PORTCULLIS_ADMIN_URL)');
    // Another admin URL is likely another server, where the previous client id means nothing (or someone else).
    const clientId = settings.clientId ?? (previous?.adminUrl === adminUrl ? previous.clientId : undefined);
    if (!clientId) throw new UsageError('give --client-id (or set PORTCULLIS_CLIENT_ID)');
    const clientSecret = await loginSecret(context);

    const token = await obtainAdminToken(
      adminUrl,
      { clientId, clientSecret },
      {
        issuerUrl: settings.issuerUrl,
        timeoutMs: settings.timeoutMs,
        now: terminal.now(),
        transport: context.transport,
      },
    );
    const session: Session = {
      version: 2,
      adminUrl,
      clientId,
      issuer: token.authorization.issuer,
      tokenEndpoint: token.authorization.tokenEndpoint,
      accessToken: token.accessToken,
      expiresAt: token.expiresAt.toISOString(),
    };
    await sessions.save(session);
    const summary = {
      adminUrl,
      clientId,
      issuer: token.authorization.issuer,
      tokenEndpoint: token.authorization.tokenEndpoint,
      scope: token.scope ?? null,
      expiresAt: session.expiresAt,
      sessionFile: sessions.path,
    };
    output.message(`Logged in to ${adminUrl} as ${clientId}.`);
    output.result(summary, () =>
      renderDetails([
        ['issuer', summary.issuer],
        ['token endpoint', summary.tokenEndpoint],
        ['scope', summary.scope],
        ['expires at', summary.expiresAt],
        ['session file', summary.sessionFile],
      ]),
    );
  },
};

async function loginSecret(context: CommandContext): Promise<string> {
  const { options, settings, terminal } = context;
  const flagValue = options.string('client-secret');
  if (flagValue !== undefined && options.flag('client-secret-stdin')) {
    throw new UsageError('give --client-secret-stdin or --client-secret, not both');
  }
  if (flagValue !== undefined) {
    if (flagValue === '') throw new UsageError('--client-secret is empty');
    context.output.note(
      'warning: --client-secret is visible to other users in `ps`; prefer --client-secret-stdin',
    );
    return flagValue;
  }
  if (!options.flag('client-secret-stdin') && settings.clientSecret !== undefined)
    return settings.clientSecret;
  return readSecret(terminal, {
    fromStdin: options.flag('client-secret-stdin'),
    what: 'client secret',
    stdinFlag: '--client-secret-stdin',
  });
}
