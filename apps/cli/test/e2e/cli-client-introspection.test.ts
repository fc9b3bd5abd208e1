import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type CliTestServer, startCliTestServer } from '../support/cli-test-server.js';

// Each step is a real `node` process (~0.3 s to start, more on a loaded machine).
jest.setTimeout(60_000);

/** `portcullis clients create|update --[no-]introspection` against a real admin API and database. */
describe('portcullis CLI: clients allowed to introspect', () => {
  let t: CliTestServer;
  beforeAll(async () => {
    t = await startCliTestServer();
    expect((await t.login()).code).toBe(0);
  }, 30_000);
  afterAll(async () => t?.close());

  const stored = async (id: string) =>
    (await t.server.prisma.client.findUniqueOrThrow({ where: { id } })).introspection;

  it('creates a resource server client allowed to introspect, and takes it back', async () => {
    const created = await t.run([
      'clients',
      'create',
      'orders-api',
      '--grant-type',
      'client_credentials',
      '--introspection',
      '--json',
    ]);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id: 'orders-api', introspection: true });
    expect(await stored('orders-api')).toBe(true);

    const shown = await t.run(['clients', 'get', 'orders-api']);
    expect(shown.stdout).toMatch(/^introspection\s+yes$/m);

    const updated = await t.run(['clients', 'update', 'orders-api', '--no-introspection']);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toMatch(/^introspection\s+no$/m);
    expect(await stored('orders-api')).toBe(false);

    expect((await t.run(['clients', 'update', 'orders-api', '--introspection'])).code).toBe(0);
    expect(await stored('orders-api')).toBe(true);
  });

  it('leaves it off unless asked', async () => {
    const created = await t.run([
      'clients',
      'create',
      'batch',
      '--grant-type',
      'client_credentials',
      '--json',
    ]);
    expect(JSON.parse(created.stdout)).toMatchObject({ introspection: false });
    expect((await t.run(['clients', 'update', 'batch', '--name', 'Batch'])).code).toBe(0);
    expect(await stored('batch')).toBe(false);
  });
});
