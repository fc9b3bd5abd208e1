import type { CommandSpec } from '../args/command-spec.js';
import { decodeJwtPayload } from '../auth/decode-jwt-payload.js';
import { AuthError } from '../cli-errors.js';
import { renderDetails } from '../output/render-table.js';

export const whoamiCommand: CommandSpec = {
  kind: 'command',
  name: 'whoami',
  summary: 'show the admin client, its scopes, permissions and token expiry',
  details: [
    'The token’s claims are decoded locally WITHOUT verifying its signature — they describe what was issued, ' +
      'they prove nothing. The admin API verifies the token on every request.',
  ],
  async run(context) {
    const credentials = await context.access.current();
    const claims = decodeJwtPayload(credentials.accessToken);
    if (!claims)
      throw new AuthError('the saved access token is not a JWT', ['  run `portcullis login` again']);
    const expiresAt = claims.exp === undefined ? null : new Date(claims.exp * 1000);
    const result = {
      adminUrl: credentials.adminUrl,
      clientId: claims.client_id ?? credentials.clientId ?? null,
      tokenSource: credentials.source,
      expiresAt: expiresAt?.toISOString() ?? null,
      verified: false,
      claims,
    };
    context.output.result(result, () =>
      renderDetails([
        ['admin URL', result.adminUrl],
        ['client', result.clientId],
        ['subject', claims.sub],
        ['issuer', claims.iss],
        ['audience', claims.aud],
        ['scopes', claims.scope?.split(' ')],
        ['roles', claims.roles],
        ['permissions', claims.permissions],
        ['token id', claims.jti],
        [
          'expires at',
          expiresAt ? `${result.expiresAt} (${untilText(expiresAt, context.terminal.now())})` : null,
        ],
        ['token from', result.tokenSource],
      ]),
    );
    context.output.note(
      '(claims decoded locally, signature not verified; the admin API verifies every request)',
    );
  },
};

function untilText(expiresAt: Date, now: Date): string {
  const seconds = Math.round((expiresAt.getTime() - now.getTime()) / 1000);
  if (seconds <= 0) return 'expired';
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `in ${minutes}m ${seconds % 60}s` : `in ${seconds}s`;
}
