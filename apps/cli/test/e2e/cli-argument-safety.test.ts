import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { addStandardRoles } from '../../../auth-server/test/support/test-auth-server.js';
import { ADMIN_CLIENT, type CliTestServer, startCliTestServer } from '../support/cli-test-server.js';

// Each step is a real `node` process (~0.3 s to start, more on a loaded machine).
jest.setTimeout(60_000);

/** Command-line values that could change a request's meaning, and how the CLI reads them. */
describe('portcullis CLI: arguments that must not change what a request means', () => {
  let t: CliTestServer;
  beforeAll(async () => {
    t = await startCliTestServer();
    await addStandardRoles(t.server.prisma);
    expect((await t.login()).code).toBe(0);
  }, 30_000);
  afterAll(async () => t?.close());

  it('refuses ".", ".." and empty path segments (also percent-encoded) before any request', async () => {
    await t.server.addClient({
      id: 'web',
      secret: 'web-secret-0123456789',
      grantTypes: ['client_credentials'],
      scopes: ['items:read'],
      roles: ['viewer'],
      permissions: ['items:read'],
    });
    const userId = await t.server.addUser({ username: 'dora', password: 'dora-password', roles: ['viewer'] });

    // Unchecked, URL parsing turns /clients/web/roles/.. into /clients/web/ — DELETE would delete the client.
    for (const args of [
      ['clients', 'remove-role', 'web', '..'],
      ['clients', 'remove-role', 'web', '.'],
      ['clients', 'revoke-permission', 'web', '%2e%2E'],
      ['clients', 'revoke-permission', 'web', '.%2e'],
      ['clients', 'delete', ''],
      ['users', 'remove-role', 'dora', '..'],
      ['users', 'revoke-permission', userId, '%2E'],
      ['users', 'delete', '..'],
      ['keys', 'retire', '..'],
    ]) {
      const result = await t.run(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toContain('cannot be an id or a name');
    }

    const client = JSON.parse((await t.run(['clients', 'get', 'web', '--json'])).stdout) as {
      roles: string[];
      permissions: string[];
    };
    expect(client).toMatchObject({ roles: ['viewer'], permissions: ['items:read'] });
    const user = JSON.parse((await t.run(['users', 'get', 'dora', '--json'])).stdout) as { roles: string[] };
    expect(user.roles).toEqual(['viewer']);
    await t.server.container.flushAudit();
    const writes = await t.server.prisma.auditEvent.count({
      where: {
        OR: ['admin.client.', 'admin.user.', 'admin.key.'].map((prefix) => ({
          type: { startsWith: prefix },
        })),
      },
    });
    expect(writes).toBe(0);
  });

  it('explains `--` for values that start with -, and accepts them after it', async () => {
    const unknown = await t.run(['revoke', 'jti', '-abc']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '-a'");
    expect(unknown.stderr).toContain('put `--` before values that start with -');

    const accepted = await t.run(['revoke', 'jti', '--reason', 'test', '--', '-abc']);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain('Revoked jti -abc.');

    const ambiguous = await t.run(['revoke', 'jti', 'x', '--reason', '-why']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('--reason=-VALUE');
  });

  it('warns when a token to revoke is given on the command line', async () => {
    const token = await t.server.token(
      { grant_type: 'client_credentials', scope: 'admin', resource: t.server.config.admin.resource },
      { id: ADMIN_CLIENT.id, secret: ADMIN_CLIENT.secret },
    );
    const accessToken = token.body.access_token as string;
    const literal = await t.run(['revoke', 'token', accessToken]);
    expect(literal.code).toBe(0);
    expect(literal.stderr).toContain(
      'warning: a token on the command line is visible to other users in `ps`',
    );
    expect(literal.stderr).toContain('pass "-" and pipe it on stdin');
    expect(literal.stdout).not.toContain(accessToken);

    const piped = await t.run(['revoke', 'token', '-'], { stdin: accessToken });
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain('warning');
  });

  it('reads dates as UTC, refuses zoneless times and dates that do not exist', async () => {
    for (const [since, message] of [
      ['2025-01-31T12:00:00', 'needs Z or an offset'],
      ['2025-01-31 12:00', 'needs Z or an offset'],
      ['2025-02-30', 'is not a real date/time'],
      ['2025-01-31T24:00Z', 'is not a real date/time'],
      ['2025-01-31T12:00+25:00', 'is not a real date/time'],
      ['31/01/2025', 'must be a date'],
    ] as const) {
      const result = await t.run(['audit', '--since', since]);
      expect({ since, code: result.code }).toEqual({ since, code: 2 });
      expect(result.stderr).toContain(message);
    }
    // An event logged now is found from an offset instant an hour ago, and not from tomorrow's UTC midnight.
    const hourAgo = new Date(Date.now() - 3_600_000);
    const offset = `${new Date(hourAgo.getTime() + 2 * 3_600_000).toISOString().slice(0, 19)}+02:00`;
    await t.server.container.flushAudit();
    const found = await t.run(['audit', '--since', offset, '--json']);
    expect(found.code).toBe(0);
    expect((JSON.parse(found.stdout) as { events: unknown[] }).events.length).toBeGreaterThan(0);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const none = await t.run(['audit', '--since', tomorrow]);
    expect(none.stdout.trim()).toBe('no events');
  });

  it('finds a username past the first page of search results', async () => {
    // 105 users whose names contain "pager", created before the one named exactly that.
    await t.server.prisma.user.createMany({
      data: Array.from({ length: 105 }, (_, index) => ({
        username: `pager-${String(index).padStart(3, '0')}`,
        passwordHash: 'not-a-usable-hash',
      })),
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const id = await t.server.addUser({ username: 'pager', password: 'pager-password' });
    const firstPage = JSON.parse(
      (await t.run(['users', 'list', '--search', 'pager', '--limit', '100', '--json'])).stdout,
    ) as {
      users: { username: string }[];
    };
    expect(firstPage.users.map((user) => user.username)).not.toContain('pager');

    const result = await t.run(['users', 'get', 'pager', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id, username: 'pager' });
    expect((await t.run(['users', 'get', 'pager-nobody'])).code).toBe(1);
  });
});
