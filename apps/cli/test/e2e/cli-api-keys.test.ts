import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { addStandardRoles } from '../../../auth-server/test/support/test-auth-server.js';
import { ADMIN_CLIENT, type CliTestServer, startCliTestServer } from '../support/cli-test-server.js';

interface ApiKeyJson {
  id: string;
  prefix: string;
  name: string;
  owner: { type: 'user'; id: string; username: string } | { type: 'client'; id: string };
  scopes: string[];
  roles: string[];
  permissions: string[];
  expiresAt: string | null;
  revokedAt: string | null;
  rotatedFromId: string | null;
  status: string;
  key?: string;
}

// Each step is a real `node` process (~0.3 s to start, more on a loaded machine).
jest.setTimeout(60_000);

const WHOLE_KEY = /pcl_[0-9a-f]{20}_[A-Za-z0-9_-]{43}/;
const SHOWN_ONCE = 'the API key is shown only this once';

/** `portcullis api-keys …` against a real admin API and database. */
describe('portcullis CLI: api-keys', () => {
  let t: CliTestServer;
  let aliceId: string;
  beforeAll(async () => {
    t = await startCliTestServer();
    await addStandardRoles(t.server.prisma);
    await t.server.addClient({
      id: 'reports',
      secret: 'reports-secret-0123456789',
      grantTypes: ['client_credentials'],
      scopes: ['items:read'],
      permissions: ['items:read'],
    });
    aliceId = await t.server.addUser({ username: 'alice', password: 'alice-password', roles: ['editor'] });
    expect((await t.login()).code).toBe(0);
  }, 30_000);
  afterAll(async () => t?.close());

  const auditOf = async (type: string) => {
    await t.server.container.flushAudit();
    return t.server.prisma.auditEvent.findMany({ where: { type } });
  };
  const createForReports = (...extra: string[]) =>
    t.run([
      'api-keys',
      'create',
      '--name',
      'nightly export',
      '--client',
      'reports',
      '--scope',
      'items:read',
      '--permission',
      'items:read',
      ...extra,
    ]);

  describe('usage errors (exit 2, nothing sent)', () => {
    it.each([
      [['api-keys', 'create', '--client', 'reports', '--scope', 'items:read'], 'give --name'],
      [
        ['api-keys', 'create', '--name', 'x', '--scope', 'items:read'],
        'give the owner: --user USER or --client CLIENT',
      ],
      [
        ['api-keys', 'create', '--name', 'x', '--user', 'alice', '--client', 'reports', '--scope', 'a'],
        'give --user or --client, not both',
      ],
      [['api-keys', 'create', '--name', 'x', '--client', 'reports'], 'give at least one --scope'],
      [
        [
          'api-keys',
          'create',
          '--name',
          'x',
          '--client',
          'reports',
          '--scope',
          'a',
          '--expires-in',
          '1d',
          '--expires-at',
          '2099-01-01',
        ],
        'give --expires-in or --expires-at, not both',
      ],
      [
        ['api-keys', 'create', '--name', 'x', '--client', 'reports', '--scope', 'a', '--expires-in', 'soon'],
        '--expires-in must be a duration',
      ],
      [
        ['api-keys', 'create', '--name', 'x', '--client', 'reports', '--scope', 'a', '--expires-in', '0s'],
        '--expires-in must be from 1 to',
      ],
      [
        [
          'api-keys',
          'create',
          '--name',
          'x',
          '--client',
          'reports',
          '--scope',
          'a',
          '--expires-at',
          '2020-01-01',
        ],
        '--expires-at 2020-01-01 is not in the future',
      ],
      [
        ['api-keys', 'create', '--name', 'x', '--client', 'reports', '--scope', 'a', '--expires-at', '7d'],
        'for a duration write --expires-in 7d',
      ],
      [
        [
          'api-keys',
          'create',
          '--name',
          'x',
          '--client',
          'reports',
          '--scope',
          'a',
          '--expires-at',
          '2099-01-01T12:00',
        ],
        'needs Z or an offset',
      ],
      [['api-keys', 'create', '--name', 'x', '--client', '..', '--scope', 'a'], 'cannot be an id or a name'],
      [['api-keys', 'list', '--status', 'lost'], '--status must be one of active, revoked, expired'],
      [['api-keys', 'list', '--user', 'alice', '--client', 'reports'], 'give --user or --client, not both'],
      [
        ['api-keys', 'rotate', 'pcl_0123456789abcdef0123', '--grace', '2d'],
        '--grace must be from 0 to 86400',
      ],
      [['api-keys', 'show'], 'missing argument <id>'],
      [['api-keys', 'revoke', '..'], 'cannot be an id or a name'],
      [
        ['api-keys', 'create', '--name', 'x', '--client', 'reports', '--scope', 'a', '--bogus'],
        "Unknown option '--bogus'",
      ],
    ])('%j', async (args, message) => {
      const result = await t.run(args);
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
      expect(result.stderr).toContain(message);
    });

    it('refuses a whole key as an argument without echoing it', async () => {
      const key = `pcl_0123456789abcdef0123_${'A'.repeat(43)}`;
      for (const command of ['show', 'rotate', 'revoke']) {
        const result = await t.run(['api-keys', command, key]);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('looks like a whole API key');
        expect(result.stderr).not.toContain('AAAA');
      }
    });

    it('sent nothing: no key was created and nothing was audited', async () => {
      expect(await t.server.prisma.apiKey.count()).toBe(0);
      await t.server.container.flushAudit();
      expect(
        await t.server.prisma.auditEvent.count({ where: { type: { startsWith: 'admin.api_key' } } }),
      ).toBe(0);
    });
  });

  it('creates a client key, printing it once with a warning, storing only its hash', async () => {
    const result = await createForReports('--expires-in', '90d');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(SHOWN_ONCE);
    const key = WHOLE_KEY.exec(result.stdout)?.[0];
    expect(key).toBeDefined();
    const id = key!.slice(4, 24);
    expect(result.stdout).toContain(`Created API key pcl_${id}.`);
    expect(result.stdout).toMatch(/^owner\s+client reports$/m);
    expect(result.stdout).toMatch(/^status\s+active$/m);
    expect(result.stdout).toMatch(/^scopes\s+items:read$/m);
    expect(result.stdout).toMatch(new RegExp(`^API key \\(send it as X-API-Key\\):\\n {2}${key}$`, 'm'));

    const stored = await t.server.prisma.apiKey.findUniqueOrThrow({ where: { id } });
    expect(JSON.stringify(stored)).not.toContain(key!.slice(25));
    const expiresInDays = (stored.expiresAt!.getTime() - Date.now()) / 86_400_000;
    expect(expiresInDays).toBeGreaterThan(89);
    expect(expiresInDays).toBeLessThanOrEqual(90);

    const [event] = await auditOf('admin.api_key.created');
    expect(event).toMatchObject({ clientId: ADMIN_CLIENT.id });
    expect(JSON.stringify(event)).not.toContain(key!.slice(25));
  });

  it('creates a user key by username, with --json carrying the key member', async () => {
    const result = await t.run([
      'api-keys',
      'create',
      '--name',
      'alice laptop',
      '--user',
      'Alice',
      '--scope',
      'items:read,items:write',
      '--role',
      'editor',
      '--expires-at',
      '2099-01-31T12:00:00Z',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(SHOWN_ONCE);
    const created = JSON.parse(result.stdout) as ApiKeyJson;
    expect(created).toMatchObject({
      name: 'alice laptop',
      owner: { type: 'user', id: aliceId, username: 'alice' },
      scopes: ['items:read', 'items:write'],
      roles: ['editor'],
      expiresAt: '2099-01-31T12:00:00.000Z',
      status: 'active',
    });
    expect(created.key).toMatch(WHOLE_KEY);
    expect(created.prefix).toBe(`pcl_${created.id}`);
  });

  it('lists prefixes as a table and as JSON, never the keys, filtered by owner and status', async () => {
    const table = await t.run(['api-keys', 'list']);
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^PREFIX\s+NAME\s+OWNER\s+STATUS\s+SCOPES\s+EXPIRES\s+CREATED$/);
    expect(rows).toHaveLength(2);
    expect(rows.find((row) => row.includes('alice laptop'))).toMatch(
      /^pcl_[0-9a-f]{20}\s.*\suser alice\s+active\s/,
    );
    expect(table.stdout).not.toMatch(WHOLE_KEY);

    const json = await t.run(['api-keys', 'list', '--json']);
    expect(json.code).toBe(0);
    expect(json.stdout).not.toMatch(WHOLE_KEY);
    const page = JSON.parse(json.stdout) as { apiKeys: ApiKeyJson[]; nextCursor: string | null };
    expect(page.apiKeys).toHaveLength(2);
    for (const key of page.apiKeys) expect(key).not.toHaveProperty('key');

    const byUser = JSON.parse((await t.run(['api-keys', 'list', '--user', 'alice', '--json'])).stdout) as {
      apiKeys: ApiKeyJson[];
    };
    expect(byUser.apiKeys.map((key) => key.name)).toEqual(['alice laptop']);
    const byClient = JSON.parse(
      (await t.run(['api-keys', 'list', '--client', 'reports', '--json'])).stdout,
    ) as {
      apiKeys: ApiKeyJson[];
    };
    expect(byClient.apiKeys.map((key) => key.name)).toEqual(['nightly export']);
    const revoked = await t.run(['api-keys', 'list', '--status', 'revoked']);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout.trim()).toBe('no API keys');
  });

  it('round trip: create -> show -> rotate -> revoke, the key never shown again', async () => {
    const created = JSON.parse((await createForReports('--json')).stdout) as ApiKeyJson;
    const secret = created.key!.slice(25);

    const byPrefix = await t.run(['api-keys', 'show', created.prefix]);
    expect(byPrefix.code).toBe(0);
    expect(byPrefix.stdout).toMatch(new RegExp(`^id\\s+${created.id}$`, 'm'));
    expect(byPrefix.stdout).toMatch(/^expires\s+never$/m);
    expect(byPrefix.stdout).not.toContain(secret);
    const byId = JSON.parse((await t.run(['api-keys', 'show', created.id, '--json'])).stdout) as ApiKeyJson;
    expect(byId).toMatchObject({ id: created.id, status: 'active' });
    expect(byId).not.toHaveProperty('key');

    const rotation = await t.run(['api-keys', 'rotate', created.prefix, '--grace', '0']);
    expect(rotation.code).toBe(0);
    expect(rotation.stderr).toContain(SHOWN_ONCE);
    const newKey = WHOLE_KEY.exec(rotation.stdout)?.[0];
    expect(newKey).toBeDefined();
    expect(newKey).not.toBe(created.key);
    const newId = newKey!.slice(4, 24);
    expect(rotation.stdout).toContain(`the old key is revoked, the new key is pcl_${newId}`);
    expect(rotation.stdout).toMatch(new RegExp(`^rotated from\\s+${created.id}$`, 'm'));
    const rotated = JSON.parse((await t.run(['api-keys', 'show', newId, '--json'])).stdout) as ApiKeyJson;
    expect(rotated).toMatchObject({
      name: 'nightly export',
      scopes: ['items:read'],
      rotatedFromId: created.id,
    });
    expect(rotated).not.toHaveProperty('key');
    // Without a grace the old key is revoked at once.
    const old = JSON.parse((await t.run(['api-keys', 'show', created.id, '--json'])).stdout) as ApiKeyJson;
    expect(old.status).toBe('revoked');

    const revoke = await t.run(['api-keys', 'revoke', `pcl_${newId}`]);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toContain(`Revoked API key pcl_${newId}.`);
    const after = JSON.parse((await t.run(['api-keys', 'show', newId, '--json'])).stdout) as ApiKeyJson;
    expect(after.status).toBe('revoked');
    expect(after.revokedAt).not.toBeNull();
    // Revoking again is no error: the key is just as revoked.
    expect((await t.run(['api-keys', 'revoke', newId])).code).toBe(0);
    expect((await t.run(['api-keys', 'revoke', newId, '--json'])).stdout).toBe('');

    const listed = await t.run(['api-keys', 'list', '--client', 'reports', '--status', 'revoked', '--json']);
    expect((JSON.parse(listed.stdout) as { apiKeys: ApiKeyJson[] }).apiKeys.map((key) => key.id)).toContain(
      newId,
    );
    expect(listed.stdout).not.toContain(secret);
  });

  it('rotates with a grace: the old key keeps working until the grace ends', async () => {
    const created = JSON.parse((await createForReports('--json')).stdout) as ApiKeyJson;
    const rotation = await t.run(['api-keys', 'rotate', created.id, '--grace', '30m']);
    expect(rotation.code).toBe(0);
    expect(rotation.stdout).toContain(`Rotated ${created.id}: the old key works for another 30m`);
    const old = JSON.parse((await t.run(['api-keys', 'show', created.id, '--json'])).stdout) as ApiKeyJson;
    expect(old.status).toBe('active');
    const endsInMinutes = (Date.parse(old.expiresAt!) - Date.now()) / 60_000;
    expect(endsInMinutes).toBeGreaterThan(0);
    expect(endsInMinutes).toBeLessThanOrEqual(30);
  });

  it('exits 1 with the problem for an unknown key, an unknown owner and an invalid request', async () => {
    const unknown = await t.run(['api-keys', 'show', '0123456789abcdef0123']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Not Found');

    const noUser = await t.run([
      'api-keys',
      'create',
      '--name',
      'x',
      '--user',
      'nobody',
      '--scope',
      'items:read',
    ]);
    expect(noUser.code).toBe(1);
    expect(noUser.stderr).toContain('no user with the username "nobody"');

    const noClient = await t.run([
      'api-keys',
      'create',
      '--name',
      'x',
      '--client',
      'ghost',
      '--scope',
      'items:read',
    ]);
    expect(noClient.code).toBe(1);
    expect(noClient.stdout).toBe('');
    expect(noClient.stderr).not.toMatch(WHOLE_KEY);
  });

  it('pages with --limit and --all', async () => {
    const first = await t.run(['api-keys', 'list', '--limit', '1']);
    expect(first.code).toBe(0);
    expect(first.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(first.stderr).toMatch(/more API keys: add --after \S+/);
    const all = JSON.parse((await t.run(['api-keys', 'list', '--limit', '1', '--all', '--json'])).stdout) as {
      apiKeys: ApiKeyJson[];
      nextCursor: null;
    };
    expect(all.nextCursor).toBeNull();
    expect(all.apiKeys.length).toBe(await t.server.prisma.apiKey.count());
  });
});
