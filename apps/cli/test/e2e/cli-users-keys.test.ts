import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { addStandardRoles } from '../../../auth-server/test/support/test-auth-server.js';
import { ADMIN_CLIENT, type CliTestServer, startCliTestServer } from '../support/cli-test-server.js';

interface UserJson {
  id: string;
  username: string;
  email: string | null;
  disabled: boolean;
  roles: string[];
}

// Each step is a real `node` process (~0.3 s to start, more on a loaded machine).
jest.setTimeout(60_000);

/** `portcullis users …` and `portcullis keys …` against a real admin API and database. */
describe('portcullis CLI: users and keys', () => {
  let t: CliTestServer;
  beforeAll(async () => {
    t = await startCliTestServer();
    await addStandardRoles(t.server.prisma);
    expect((await t.login()).code).toBe(0);
  }, 30_000);
  afterAll(async () => t?.close());

  const auditOf = async (type: string) => {
    await t.server.container.flushAudit();
    return t.server.prisma.auditEvent.findMany({ where: { type } });
  };
  const createUser = (username: string, password: string, ...options: string[]) =>
    t.run(['users', 'create', username, '--password-stdin', ...options], { stdin: `${password}\n` });

  it('creates a user with the password from stdin, stored and audited as the CLI client', async () => {
    const result = await createUser(
      'Erin',
      'correct horse battery',
      '--email',
      'erin@example.test',
      '--role',
      'editor',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Created user erin \([0-9a-f-]{36}\)\.$/m);
    expect(result.stdout).toMatch(/^roles\s+editor$/m);
    const stored = await t.server.prisma.user.findFirstOrThrow({ where: { username: 'erin' } });
    expect(stored).toMatchObject({ email: 'erin@example.test', disabled: false });
    // The password is the one piped in (the trailing newline dropped): the password grant accepts it.
    await t.server.addClient({
      id: 'web',
      secret: 'web-secret',
      grantTypes: ['password'],
      scopes: ['items:read'],
      firstParty: true,
    });
    const login = await t.server.token(
      { grant_type: 'password', username: 'erin', password: 'correct horse battery', scope: 'items:read' },
      { id: 'web', secret: 'web-secret' },
    );
    expect(login.status).toBe(200);
    const [event] = await auditOf('admin.user.created');
    expect(event).toMatchObject({ clientId: ADMIN_CLIENT.id, subject: stored.id });
    expect(JSON.stringify(event)).not.toContain('correct horse');
  });

  it('lists users as an aligned table, and as the raw API JSON with --json', async () => {
    const table = await t.run(['users', 'list']);
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+USERNAME\s+EMAIL\s+DISABLED\s+ROLES\s+PERMISSIONS\s+CREATED$/);
    const erin = rows.find((row) => row.includes(' erin '));
    expect(erin).toBeDefined();
    // Columns line up: each header starts where its cells start.
    expect(erin!.indexOf('erin@example.test')).toBe(header!.indexOf('EMAIL'));

    const json = await t.run(['users', 'list', '--json']);
    expect(json.code).toBe(0);
    const page = JSON.parse(json.stdout) as { users: UserJson[]; nextCursor: string | null };
    expect(page.nextCursor).toBeNull();
    expect(page.users.map((user) => user.username)).toContain('erin');
  });

  it('gets a user by username or by id', async () => {
    const byName = JSON.parse((await t.run(['users', 'get', 'Erin', '--json'])).stdout) as UserJson;
    expect(byName).toMatchObject({ username: 'erin', roles: ['editor'] });
    const byId = await t.run(['users', 'get', byName.id]);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toMatch(new RegExp(`^id\\s+${byName.id}$`, 'm'));
    const missing = await t.run(['users', 'get', 'nobody']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Not Found');
  });

  it('pages with --limit, printing the next cursor, and walks every page with --all', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) {
      expect((await createUser(name, 'long enough password')).code).toBe(0);
    }
    const first = await t.run(['users', 'list', '--search', 'page-', '--limit', '2']);
    expect(first.code).toBe(0);
    expect(first.stdout.trimEnd().split('\n')).toHaveLength(3);
    const cursor = /--after (\S+)/.exec(first.stderr)?.[1];
    expect(cursor).toBeDefined();
    const second = await t.run([
      'users',
      'list',
      '--search',
      'page-',
      '--limit',
      '2',
      '--after',
      cursor!,
      '--json',
    ]);
    expect((JSON.parse(second.stdout) as { users: UserJson[] }).users.map((user) => user.username)).toEqual([
      'page-c',
    ]);
    const all = JSON.parse(
      (await t.run(['users', 'list', '--search', 'page-', '--limit', '1', '--all', '--json'])).stdout,
    ) as {
      users: UserJson[];
      nextCursor: null;
    };
    expect(all.users.map((user) => user.username)).toEqual(['page-a', 'page-b', 'page-c']);
  });

  it('exits 1 on a validation error, naming the field and the rule', async () => {
    const result = await createUser('shorty', 'short');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Bad Request: the request is invalid (400)');
    expect(result.stderr).toMatch(/^ {2}password: must be at least 8 characters$/m);
    expect(await t.server.prisma.user.count({ where: { username: 'shorty' } })).toBe(0);

    const common = await createUser('shorty', 'Password123');
    expect(common.code).toBe(1);
    expect(common.stderr).toMatch(
      /^ {2}password: is too common: it appears in lists of breached passwords$/m,
    );
    expect(common.stderr).not.toContain('Password123');
  });

  it('refuses to take a password from a pipe it was not told to read (exit 2)', async () => {
    const result = await t.run(['users', 'create', 'nopass']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--password-stdin');
  });

  it('disables and enables a user, updates the email and manages roles and permissions', async () => {
    const disabled = await t.run(['users', 'disable', 'erin']);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toMatch(/^disabled\s+yes$/m);
    expect((await t.server.prisma.user.findFirstOrThrow({ where: { username: 'erin' } })).disabled).toBe(
      true,
    );
    expect((await auditOf('admin.user.disabled')).length).toBe(1);
    expect((await t.run(['users', 'enable', 'erin'])).stdout).toMatch(/^disabled\s+no$/m);

    expect((await t.run(['users', 'update', 'erin', '--clear-email'])).stdout).toMatch(/^email\s+-$/m);
    expect((await t.run(['users', 'update', 'erin'])).code).toBe(2);

    const withRole = await t.run(['users', 'add-role', 'erin', 'viewer', '--json']);
    expect((JSON.parse(withRole.stdout) as UserJson).roles).toEqual(['editor', 'viewer']);
    expect((await t.run(['users', 'remove-role', 'erin', 'editor'])).stdout).toMatch(/^roles\s+viewer$/m);
    expect((await t.run(['users', 'grant', 'erin', 'items:delete', 'items:write'])).stdout).toMatch(
      /^permissions\s+items:delete, items:write$/m,
    );
    expect((await t.run(['users', 'revoke-permission', 'erin', 'items:write'])).stdout).toMatch(
      /^permissions\s+items:delete$/m,
    );
    const unknownRole = await t.run(['users', 'add-role', 'erin', 'no-such-role']);
    expect(unknownRole.code).toBe(1);
  });

  it('sets a password from stdin', async () => {
    const result = await t.run(['users', 'set-password', 'erin', '--password-stdin'], {
      stdin: 'a brand new password',
    });
    expect(result.code).toBe(0);
    const login = await t.server.token(
      { grant_type: 'password', username: 'erin', password: 'a brand new password', scope: 'items:read' },
      { id: 'web', secret: 'web-secret' },
    );
    expect(login.status).toBe(200);
  });

  it('deletes a user', async () => {
    const result = await t.run(['users', 'delete', 'page-c']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Deleted user page-c');
    expect(await t.server.prisma.user.count({ where: { username: 'page-c' } })).toBe(0);
    expect((await t.run(['users', 'delete', 'page-c'])).code).toBe(1);
  });

  it('lists, rotates and retires signing keys', async () => {
    const list = await t.run(['keys', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^KID\s+ALG\s+STATUS\s+ACTIVATES AT\s+SUPERSEDED AT\s+RETIRES AT$/m);
    expect(list.stdout).toMatch(/\sES256\s+active\s/);

    const rotated = await t.run(['keys', 'rotate', '--activate-in', '600', '--json']);
    expect(rotated.code).toBe(0);
    const { kid } = JSON.parse(rotated.stdout) as { kid: string };
    const keys = JSON.parse((await t.run(['keys', 'list', '--json'])).stdout) as {
      keys: { kid: string; status: string }[];
    };
    expect(keys.keys.find((key) => key.kid === kid)).toMatchObject({ status: 'pending' });

    // The key that signs now cannot be retired: the API's refusal is exit 1.
    const active = keys.keys.find((key) => key.status === 'active')!;
    const refused = await t.run(['keys', 'retire', active.kid]);
    expect(refused.code).toBe(1);
    const retired = await t.run(['keys', 'retire', kid]);
    expect(retired.code).toBe(0);
    expect(retired.stdout).toMatch(/^status\s+retired$/m);
  });

  it('exits 1 with the 403 problem for a client without the permission', async () => {
    await t.server.addClient({
      id: 'keys-viewer',
      secret: 'keys-viewer-secret',
      grantTypes: ['client_credentials'],
      scopes: ['admin'],
      permissions: ['admin:keys:read'],
    });
    const env = {
      PORTCULLIS_CONFIG_DIR: await t.newConfigDir(),
      PORTCULLIS_ADMIN_URL: t.server.adminUrl,
      PORTCULLIS_CLIENT_ID: 'keys-viewer',
      PORTCULLIS_CLIENT_SECRET: 'keys-viewer-secret',
    };
    expect((await t.run(['keys', 'list'], { env })).code).toBe(0);
    const refused = await t.run(['users', 'list'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Forbidden');
    expect(refused.stderr).toContain('whoami');
  });
});
