import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ADMIN_CLIENT, type CliTestServer, startCliTestServer } from '../support/cli-test-server.js';

// Each step is a real `node` process (~0.3 s to start, more on a loaded machine).
jest.setTimeout(60_000);

interface ClientJson {
  id: string;
  disabled: boolean;
  roles: string[];
  permissions: string[];
  clientSecret?: string;
}

/** `portcullis roles|permissions|clients|revoke|revocations|audit` against a real admin API and database. */
describe('portcullis CLI: roles, permissions, clients, revocations and audit', () => {
  let t: CliTestServer;
  beforeAll(async () => {
    t = await startCliTestServer();
    expect((await t.login()).code).toBe(0);
  }, 30_000);
  afterAll(async () => t?.close());

  it('creates, lists, shows, updates and deletes roles', async () => {
    const created = await t.run([
      'roles',
      'create',
      'auditor',
      '--description',
      'reads items',
      '--permission',
      'items:read',
    ]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^permissions\s+items:read$/m);
    const list = await t.run(['roles', 'list']);
    expect(list.stdout).toMatch(/^NAME\s+DESCRIPTION\s+PERMISSIONS$/m);
    expect(list.stdout).toMatch(/^auditor\s+reads items\s+items:read$/m);
    const updated = await t.run(['roles', 'update', 'auditor', '--permission', 'items:read,items:write']);
    expect(updated.stdout).toMatch(/^permissions\s+items:read, items:write$/m);
    const role = await t.server.prisma.role.findUniqueOrThrow({
      where: { name: 'auditor' },
      include: { permissions: { include: { permission: true } } },
    });
    expect(role.permissions.map((link) => link.permission.name).sort()).toEqual([
      'items:read',
      'items:write',
    ]);
    expect(JSON.parse((await t.run(['roles', 'get', 'auditor', '--json'])).stdout)).toMatchObject({
      name: 'auditor',
    });
    const duplicate = await t.run(['roles', 'create', 'auditor']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('(409)');
    expect((await t.run(['roles', 'delete', 'auditor'])).code).toBe(0);
    expect((await t.run(['roles', 'get', 'auditor'])).code).toBe(1);
  });

  it('creates, lists and deletes permissions', async () => {
    expect((await t.run(['permissions', 'create', 'items:export', '--description', 'CSV export'])).code).toBe(
      0,
    );
    const list = await t.run(['permissions', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject({
      permissions: expect.arrayContaining([expect.objectContaining({ name: 'items:export' })]),
    });
    expect((await t.run(['permissions', 'delete', 'items:export'])).code).toBe(0);
    expect(await t.server.prisma.permission.count({ where: { name: 'items:export' } })).toBe(0);
  });

  it('creates a client and prints its secret once, with a warning; the secret works', async () => {
    const created = await t.run([
      'clients',
      'create',
      'reports',
      '--grant-type',
      'client_credentials',
      '--scope',
      'items:read',
      '--permission',
      'items:read',
    ]);
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('shown only this once');
    const secret = /^Client secret:\n {2}(\S+)$/m.exec(created.stdout)?.[1];
    expect(secret).toBeDefined();
    const token = await t.server.token(
      { grant_type: 'client_credentials', scope: 'items:read' },
      { id: 'reports', secret: secret! },
    );
    expect(token.status).toBe(200);
    // The client can be read back, but never its secret.
    const shown = await t.run(['clients', 'get', 'reports']);
    expect(shown.stdout).toMatch(/^has secret\s+yes$/m);
    expect(shown.stdout).not.toContain(secret!);
    await t.server.container.flushAudit();
    const events = await t.server.prisma.auditEvent.findMany({ where: { subject: 'reports' } });
    expect(JSON.stringify(events)).not.toContain(secret!);
  });

  it('prints the secret in --json for scripts, and rotates it', async () => {
    const created = await t.run([
      'clients',
      'create',
      'batch',
      '--grant-type',
      'client_credentials',
      '--scope',
      'items:read',
      '--json',
    ]);
    const client = JSON.parse(created.stdout) as ClientJson;
    expect(client).toMatchObject({ id: 'batch', disabled: false });
    expect(client.clientSecret).toEqual(expect.any(String));
    const rotated = await t.run(['clients', 'rotate-secret', 'batch', '--json']);
    const { clientSecret } = JSON.parse(rotated.stdout) as { clientSecret: string };
    expect(clientSecret).not.toBe(client.clientSecret);
    const old = await t.server.token(
      { grant_type: 'client_credentials', scope: 'items:read' },
      { id: 'batch', secret: client.clientSecret! },
    );
    expect(old.status).toBe(401);
  });

  it('lists, updates, disables and deletes clients, and assigns their roles and permissions', async () => {
    const list = await t.run(['clients', 'list']);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+GRANTS\s+SCOPES\s+FIRST-PARTY\s+DISABLED\s+ROLES$/m);
    expect(list.stdout).toMatch(new RegExp(`^${ADMIN_CLIENT.id}\\s`, 'm'));
    expect((await t.run(['clients', 'update', 'reports', '--name', 'Monthly reports'])).stdout).toMatch(
      /^name\s+Monthly reports$/m,
    );
    await t.run(['roles', 'create', 'reader', '--permission', 'items:read']);
    const withRole = JSON.parse((await t.run(['clients', 'add-role', 'reports', 'reader', '--json'])).stdout);
    expect(withRole).toMatchObject({ roles: ['reader'] });
    expect((await t.run(['clients', 'remove-role', 'reports', 'reader'])).stdout).toMatch(/^roles\s+-$/m);
    expect((await t.run(['clients', 'grant', 'reports', 'items:write'])).stdout).toMatch(
      /^permissions\s+items:read, items:write$/m,
    );
    expect((await t.run(['clients', 'revoke-permission', 'reports', 'items:write'])).stdout).toMatch(
      /^permissions\s+items:read$/m,
    );
    expect((await t.run(['clients', 'disable', 'batch'])).stdout).toMatch(/^disabled\s+yes$/m);
    expect((await t.server.prisma.client.findUniqueOrThrow({ where: { id: 'batch' } })).disabled).toBe(true);
    expect((await t.run(['clients', 'delete', 'batch'])).code).toBe(0);
    expect((await t.run(['clients', 'get', 'batch'])).code).toBe(1);
  });

  it('revokes by kind and lists revocations; a bad kind is a usage error', async () => {
    const revoked = await t.run(['revoke', 'client', 'reports', '--reason', 'rotating credentials']);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain('Revoked client reports.');
    expect(revoked.stdout).toMatch(/^reason\s+rotating credentials$/m);
    const list = await t.run(['revocations', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject({
      revocations: [
        expect.objectContaining({ kind: 'client', value: 'reports', actor: ADMIN_CLIENT.id }),
        // `clients delete batch` (above) revoked its tokens too.
        expect.objectContaining({ kind: 'client', value: 'batch', reason: 'client deleted' }),
      ],
    });
    expect((await t.run(['revocations', 'list'])).stdout).toMatch(/^REVOKED AT\s+KIND\s+VALUE/m);
    expect((await t.run(['revoke', 'everything', 'now'])).code).toBe(2);
  });

  it('revokes a token read from stdin, never echoing it', async () => {
    const token = await t.server.token(
      { grant_type: 'client_credentials', scope: 'admin', resource: t.server.config.admin.resource },
      { id: ADMIN_CLIENT.id, secret: ADMIN_CLIENT.secret },
    );
    const accessToken = token.body.access_token as string;
    const revoked = await t.run(['revoke', 'token', '-'], { stdin: `${accessToken}\n` });
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).not.toContain(accessToken);
  });

  it('searches the audit log by type, client and time', async () => {
    await t.server.container.flushAudit();
    const result = await t.run([
      'audit',
      '--type',
      'admin.role.created',
      '--client',
      ADMIN_CLIENT.id,
      '--since',
      '1h',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^OCCURRED AT\s+TYPE\s+ACTOR\s+SUBJECT\s+CLIENT\s+IP$/m);
    const rows = result.stdout.trimEnd().split('\n').slice(1);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) expect(row).toContain('admin.role.created');

    const json = JSON.parse(
      (await t.run(['audit', '--type', 'admin.client.created', '--type', 'admin.client.deleted', '--json']))
        .stdout,
    ) as { events: { type: string; subject: string }[] };
    expect(json.events.map((event) => event.type).sort()).toEqual([
      'admin.client.created',
      'admin.client.created',
      'admin.client.deleted',
    ]);
    const future = await t.run(['audit', '--since', '2999-01-01']);
    expect(future.stdout.trim()).toBe('no events');
    expect((await t.run(['audit', '--since', 'yesterday'])).code).toBe(2);
  });
});
