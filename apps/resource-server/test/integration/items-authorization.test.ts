import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createItem } from '@portcullis/db';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/**
 * Who may do what to items, over real HTTP with real tokens: route requirements (scope and permission both,
 * RFC 6750 §3.1 insufficient_scope), object-level authorization (OWASP API1:2023), input validation, and the
 * problem+json shape of every refusal.
 */

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown>;
}

interface CallOptions {
  token?: string;
  method?: string;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as it is, with `contentType`. */
  raw?: string;
  contentType?: string;
}

/** Every reply of 300 or more in this file, to check none carries a stack trace or internals. */
const failures: { label: string; text: string }[] = [];

const STACK_TRACE = /\n\s+at |node_modules|\.[jt]s:\d+|"stack"|Prisma|PrismaClient|SELECT |ZodError/;

function expectProblem(reply: Reply, status: number): void {
  expect({ status: reply.status, body: reply.body }).toMatchObject({ status, body: { status } });
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(typeof reply.body.title).toBe('string');
  expect(reply.text).not.toMatch(STACK_TRACE);
}

/** RFC 6750 §3.1: a good token that falls short of the route's requirement. */
function expectInsufficientScope(reply: Reply, scope: string | undefined): void {
  expectProblem(reply, 403);
  expect(reply.body.error).toBe('insufficient_scope');
  const challenge = reply.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer realm="portcullis-items", error="insufficient_scope"/);
  if (scope === undefined) expect(challenge).not.toContain('scope="');
  else expect(challenge).toContain(`scope="${scope}"`);
}

/** The object-level refusal: a 403 problem from the route, not a token challenge (the token is fine). */
function expectNotOwner(reply: Reply): void {
  expectProblem(reply, 403);
  expect(reply.headers.get('www-authenticate')).toBeNull();
  expect(reply.body).not.toHaveProperty('error');
  expect(reply.body.detail).toMatch(/^only the owner may /);
}

function expectValidationProblem(reply: Reply, path?: string): void {
  expectProblem(reply, 400);
  expect(reply.body.errors).toEqual(
    expect.arrayContaining([expect.objectContaining({ message: expect.any(String) })]),
  );
  if (path !== undefined) {
    expect(reply.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  }
}

describe('items API authorization and input handling', () => {
  let stack: TestStack;

  async function call(path: string, options: CallOptions = {}): Promise<Reply> {
    const { token, method = 'GET', json, raw, contentType } = options;
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(json);
    }
    if (raw !== undefined) {
      if (contentType !== undefined) headers['content-type'] = contentType;
      body = raw;
    }
    const response = await stack.api.request(path, { token, method, headers, body });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Left empty: status and content-type assertions say what went wrong.
    }
    if (response.status >= 300) failures.push({ label: `${method} ${path}`, text });
    return { status: response.status, headers: response.headers, text, body: parsed };
  }

  /** An item owned by `ownerId`, written straight through the repository (the API has no "create as"). */
  async function seedItem(ownerId: string, name = `item-${randomUUID()}`) {
    return createItem(stack.auth.prisma, { ownerId, name });
  }

  /** The item as the API shows it now, read with an admin token. */
  async function readItem(id: string): Promise<Reply> {
    return call(`/items/${id}`, { token: callers.admin.token });
  }

  interface Caller {
    token: string;
    subject: string;
  }
  const callers = {} as Record<Who, Caller>;

  const WHO = [
    'admin',
    'editor',
    'viewer',
    /** client_credentials, role editor, scopes items:read items:write. */
    'serviceEditor',
    /** client_credentials, role admin (every permission) but only scope items:read. */
    'adminScopedToRead',
    /** user, role editor plus the direct permission items:write:any. */
    'editorWithWriteAny',
  ] as const;
  type Who = (typeof WHO)[number];

  beforeAll(async () => {
    stack = await startTestStack();
    const service = async (clientId: string, roles: string[], scopes: string[]) => ({
      token: await stack.serviceToken(clientId, roles, scopes),
      subject: clientId,
    });
    callers.admin = await stack.userToken('authz-admin', ['admin']);
    callers.editor = await stack.userToken('authz-editor', ['editor']);
    callers.viewer = await stack.userToken('authz-viewer', ['viewer']);
    callers.serviceEditor = await service('authz-service-editor', ['editor'], ['items:read', 'items:write']);
    callers.adminScopedToRead = await service('authz-service-admin-read', ['admin'], ['items:read']);
    callers.editorWithWriteAny = await stack.userToken(
      'authz-editor-write-any',
      ['editor'],
      ['items:write:any'],
    );
  });

  afterAll(async () => {
    await stack?.close();
  });

  describe('route requirements', () => {
    interface RouteCase {
      route: string;
      /** The scope attribute of a 403 challenge; undefined when the route names no scope. */
      scope: string | undefined;
      /** 2xx status for those allowed; everyone else gets 403 insufficient_scope. */
      allowed: Partial<Record<Who, number>>;
      /** Sends the request and checks its effect on the rows (none after a refusal). */
      send(caller: Caller): Promise<Reply>;
    }

    const everyone = (status: number) => Object.fromEntries(WHO.map((who) => [who, status]));

    const routes: RouteCase[] = [
      {
        route: 'GET /items',
        scope: 'items:read',
        allowed: everyone(200),
        send: (caller) => call('/items', { token: caller.token }),
      },
      {
        route: "GET /items/:id (someone else's)",
        scope: 'items:read',
        allowed: everyone(200),
        send: async (caller) =>
          call(`/items/${(await seedItem('someone-else')).id}`, { token: caller.token }),
      },
      {
        route: 'POST /items',
        scope: 'items:write',
        allowed: { admin: 201, editor: 201, serviceEditor: 201, editorWithWriteAny: 201 },
        send: async (caller) => {
          const name = `lamp-${randomUUID()}`;
          const reply = await call('/items', { token: caller.token, method: 'POST', json: { name } });
          const stored = await stack.auth.prisma.item.count({ where: { name, ownerId: caller.subject } });
          expect(stored).toBe(reply.status === 201 ? 1 : 0);
          return reply;
        },
      },
      {
        route: 'PATCH /items/:id (own item)',
        scope: 'items:write',
        allowed: { admin: 200, editor: 200, serviceEditor: 200, editorWithWriteAny: 200 },
        send: async (caller) => {
          const item = await seedItem(caller.subject, 'before');
          const reply = await call(`/items/${item.id}`, {
            token: caller.token,
            method: 'PATCH',
            json: { name: 'after' },
          });
          expect((await readItem(item.id)).body.name).toBe(reply.status === 200 ? 'after' : 'before');
          return reply;
        },
      },
      {
        route: 'DELETE /items/:id (own item)',
        scope: 'items:delete',
        allowed: { admin: 204 },
        send: async (caller) => {
          const item = await seedItem(caller.subject);
          const reply = await call(`/items/${item.id}`, { token: caller.token, method: 'DELETE' });
          if (reply.status === 204) expect((await readItem(item.id)).status).toBe(404);
          else expect((await readItem(item.id)).status).toBe(200);
          return reply;
        },
      },
      {
        route: 'GET /items/statistics',
        // Scope items:read plus role admin: the challenge names the scope.
        scope: 'items:read',
        allowed: { admin: 200, adminScopedToRead: 200 },
        send: (caller) => call('/items/statistics', { token: caller.token }),
      },
      {
        route: 'GET /me',
        scope: undefined,
        allowed: everyone(200),
        send: (caller) => call('/me', { token: caller.token }),
      },
    ];

    const table = routes.flatMap((route) =>
      WHO.map((who) => ({ ...route, who, expected: route.allowed[who] ?? 403 })),
    );

    it.each(table)('$route as $who → $expected', async ({ who, expected, scope, send }) => {
      const reply = await send(callers[who]);
      if (expected === 403) {
        expectInsufficientScope(reply, scope);
      } else {
        expect({ status: reply.status, body: reply.body }).toMatchObject({ status: expected });
      }
    });
  });

  describe('object-level authorization', () => {
    let owner: Caller;
    /** Editor: may write, may not delete at all. */
    let intruder: Caller;
    /** Editor plus items:delete: may delete, but only their own. */
    let deletingIntruder: Caller;
    /** Editor plus items:write:any and items:delete: the write:any does not extend to deleting. */
    let writeAnyDeleter: Caller;

    beforeAll(async () => {
      owner = await stack.userToken('authz-owner', ['editor']);
      intruder = await stack.userToken('authz-intruder', ['editor']);
      deletingIntruder = await stack.userToken('authz-deleting-intruder', ['editor'], ['items:delete']);
      writeAnyDeleter = await stack.userToken(
        'authz-write-any-deleter',
        ['editor'],
        ['items:write:any', 'items:delete'],
      );
    });

    async function ownersItem(): Promise<Record<string, unknown>> {
      const created = await call('/items', {
        token: owner.token,
        method: 'POST',
        json: { name: 'owned', description: 'by the owner' },
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`/items/${created.body.id}`);
      expect(created.body.owner).toBe(owner.subject);
      return created.body;
    }

    async function expectUntouched(item: Record<string, unknown>): Promise<void> {
      const now = await readItem(item.id as string);
      expect(now.status).toBe(200);
      expect(now.body).toEqual(item);
    }

    it('lets the owner change their own item', async () => {
      const item = await ownersItem();
      const reply = await call(`/items/${item.id}`, {
        token: owner.token,
        method: 'PATCH',
        json: { description: 'still mine' },
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ id: item.id, owner: owner.subject, description: 'still mine' });
    });

    it("refuses another editor's PATCH with a 403 problem and leaves the row unchanged", async () => {
      const item = await ownersItem();
      const reply = await call(`/items/${item.id}`, {
        token: intruder.token,
        method: 'PATCH',
        json: { name: 'stolen' },
      });
      expectNotOwner(reply);
      await expectUntouched(item);
    });

    it("refuses another editor's DELETE (no items:delete at all) and keeps the row", async () => {
      const item = await ownersItem();
      expectInsufficientScope(
        await call(`/items/${item.id}`, { token: intruder.token, method: 'DELETE' }),
        'items:delete',
      );
      await expectUntouched(item);
    });

    it('refuses a DELETE by a holder of items:delete who is not the owner, and keeps the row', async () => {
      const item = await ownersItem();
      expectNotOwner(await call(`/items/${item.id}`, { token: deletingIntruder.token, method: 'DELETE' }));
      await expectUntouched(item);

      const own = await seedItem(deletingIntruder.subject);
      const reply = await call(`/items/${own.id}`, { token: deletingIntruder.token, method: 'DELETE' });
      expect(reply.status).toBe(204);
    });

    it('lets a holder of items:write:any PATCH it, keeping the owner', async () => {
      const item = await ownersItem();
      const reply = await call(`/items/${item.id}`, {
        token: callers.editorWithWriteAny.token,
        method: 'PATCH',
        json: { name: 'edited by a moderator' },
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ id: item.id, owner: owner.subject, name: 'edited by a moderator' });
      expect((await readItem(item.id as string)).body).toMatchObject({ name: 'edited by a moderator' });
    });

    it('does not let items:write:any DELETE it (needs items:delete and items:delete:any)', async () => {
      const item = await ownersItem();
      expectInsufficientScope(
        await call(`/items/${item.id}`, { token: callers.editorWithWriteAny.token, method: 'DELETE' }),
        'items:delete',
      );
      expectNotOwner(await call(`/items/${item.id}`, { token: writeAnyDeleter.token, method: 'DELETE' }));
      await expectUntouched(item);
    });

    it('lets an admin PATCH and DELETE it', async () => {
      const item = await ownersItem();
      const patched = await call(`/items/${item.id}`, {
        token: callers.admin.token,
        method: 'PATCH',
        json: { name: 'moderated' },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ owner: owner.subject, name: 'moderated' });

      const deleted = await call(`/items/${item.id}`, { token: callers.admin.token, method: 'DELETE' });
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expectProblem(await readItem(item.id as string), 404);
    });

    it("treats a service client's items the same way: owned by the client id", async () => {
      const created = await call('/items', {
        token: callers.serviceEditor.token,
        method: 'POST',
        json: { name: 'made by a service' },
      });
      expect(created.body.owner).toBe('authz-service-editor');
      expectNotOwner(
        await call(`/items/${created.body.id}`, {
          token: intruder.token,
          method: 'PATCH',
          json: { name: 'x' },
        }),
      );
      await expectUntouched(created.body);
    });

    it('answers 404 rather than 403 for an item that does not exist', async () => {
      const id = randomUUID();
      expectProblem(
        await call(`/items/${id}`, { token: intruder.token, method: 'PATCH', json: { name: 'x' } }),
        404,
      );
      expectProblem(await call(`/items/${id}`, { token: deletingIntruder.token, method: 'DELETE' }), 404);
    });
  });

  describe('statistics', () => {
    it('answers an admin with the counts', async () => {
      await seedItem('statistics-owner');
      const reply = await call('/items/statistics', { token: callers.admin.token });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({
        total: expect.any(Number),
        owners: expect.any(Number),
        createdLast24h: expect.any(Number),
        topOwners: expect.any(Array),
      });
      expect(reply.body.total).toBeGreaterThanOrEqual(1);
    });

    it('refuses an editor with 403 insufficient_scope', async () => {
      expectInsufficientScope(await call('/items/statistics', { token: callers.editor.token }), 'items:read');
    });
  });

  describe('GET /me', () => {
    it('echoes a user principal', async () => {
      const reply = await call('/me', { token: callers.editor.token });
      expect(reply.status).toBe(200);
      expect(reply.headers.get('cache-control')).toBe('no-store');
      expect(reply.body).toMatchObject({
        kind: 'user',
        subject: callers.editor.subject,
        clientId: 'web',
        roles: ['editor'],
        scopes: expect.arrayContaining(['items:read', 'items:write']),
        permissions: expect.arrayContaining(['items:read', 'items:write']),
        tokenId: expect.any(String),
        grantId: expect.any(String),
      });
    });

    it('echoes a client principal', async () => {
      const reply = await call('/me', { token: callers.serviceEditor.token });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({
        kind: 'client',
        subject: 'authz-service-editor',
        clientId: 'authz-service-editor',
        scopes: ['items:read', 'items:write'],
        roles: ['editor'],
        grantId: null,
      });
    });
  });

  describe('input validation', () => {
    const post = (json: unknown) => call('/items', { token: callers.editor.token, method: 'POST', json });
    const patchOwn = async (options: Omit<CallOptions, 'token' | 'method'>) => {
      const item = await seedItem(callers.editor.subject);
      return call(`/items/${item.id}`, { token: callers.editor.token, method: 'PATCH', ...options });
    };

    it('refuses an unknown field (strict schemas: a typo is a 400, not a no-op)', async () => {
      expectValidationProblem(await post({ name: 'lamp', colour: 'red' }));
      expectValidationProblem(await patchOwn({ json: { nmae: 'lamp' } }));
    });

    it('refuses an empty or blank name', async () => {
      expectValidationProblem(await post({ name: '' }), 'name');
      expectValidationProblem(await post({ name: '   ' }), 'name');
      expectValidationProblem(await post({}), 'name');
      expectValidationProblem(await patchOwn({ json: { name: '' } }), 'name');
    });

    it('refuses a name of 201 characters and takes one of 200', async () => {
      expectValidationProblem(await post({ name: 'n'.repeat(201) }), 'name');
      const created = await post({ name: 'n'.repeat(200) });
      expect(created.status).toBe(201);
    });

    it('refuses a body that is not a JSON object', async () => {
      expectValidationProblem(await post(['lamp']));
      expectValidationProblem(await post(null));
      expectValidationProblem(await patchOwn({ json: {} }));
    });

    it('refuses a non-JSON content type with 415', async () => {
      const body = JSON.stringify({ name: 'lamp' });
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
        expectProblem(
          await call('/items', { token: callers.editor.token, method: 'POST', raw: body, contentType }),
          415,
        );
      }
      expectProblem(await patchOwn({ raw: body, contentType: 'text/plain' }), 415);
    });

    it('refuses a body over 16 KiB with 413', async () => {
      const big = { name: 'lamp', description: 'd'.repeat(17 * 1024) };
      expectProblem(await post(big), 413);
      expectProblem(await patchOwn({ json: big }), 413);
    });

    it('refuses malformed JSON with 400', async () => {
      const reply = await call('/items', {
        token: callers.editor.token,
        method: 'POST',
        raw: '{"name": "lamp",',
        contentType: 'application/json',
      });
      expectProblem(reply, 400);
    });

    it('refuses a repeated query parameter', async () => {
      const token = callers.viewer.token;
      expectValidationProblem(await call('/items?limit=1&limit=2', { token }), 'limit');
      expectValidationProblem(await call('/items?limit=5&limit=5', { token }), 'limit');
      expectValidationProblem(await call('/items?owner=me&owner=me', { token }), 'owner');
    });

    it('bounds limit to 1..100', async () => {
      const token = callers.viewer.token;
      for (const limit of ['0', '101', '-1', '1.5', 'ten', '']) {
        expectValidationProblem(await call(`/items?limit=${limit}`, { token }), 'limit');
      }
      for (const limit of ['1', '100']) {
        expect((await call(`/items?limit=${limit}`, { token })).status).toBe(200);
      }
    });

    it('refuses unknown query parameters and an owner other than "me"', async () => {
      const token = callers.viewer.token;
      expectValidationProblem(await call('/items?sort=name', { token }));
      expectValidationProblem(await call(`/items?owner=${callers.editor.subject}`, { token }), 'owner');
    });

    it('refuses an after cursor this API did not issue', async () => {
      const token = callers.viewer.token;
      const forged = Buffer.from(`2020-01-01T00:00:00.000Z|${randomUUID()}x`).toString('base64url');
      for (const after of ['not-a-cursor', forged, Buffer.from('a|b|c').toString('base64url')]) {
        expectProblem(await call(`/items?after=${encodeURIComponent(after)}`, { token }), 400);
      }
    });

    it('pages with after through exactly the items created, in order', async () => {
      const pager = await stack.userToken('authz-pager', ['editor']);
      const created: string[] = [];
      for (const name of ['one', 'two', 'three', 'four', 'five']) {
        const reply = await call('/items', { token: pager.token, method: 'POST', json: { name } });
        created.push(reply.body.id as string);
      }

      const seen: string[] = [];
      const pageSizes: number[] = [];
      let after: string | null = null;
      do {
        const query: string = after === null ? '' : `&after=${encodeURIComponent(after)}`;
        const page: Reply = await call(`/items?owner=me&limit=2${query}`, { token: pager.token });
        expect(page.status).toBe(200);
        const items = page.body.items as { id: string }[];
        pageSizes.push(items.length);
        seen.push(...items.map((item) => item.id));
        after = page.body.nextCursor as string | null;
      } while (after !== null && pageSizes.length < 10);

      expect(pageSizes).toEqual([2, 2, 1]);
      expect(seen).toEqual(created);

      // Cursors have one spelling: a truncated or re-padded one is refused, not guessed at.
      const first = await call('/items?owner=me&limit=2', { token: pager.token });
      const cursor = first.body.nextCursor as string;
      for (const spoiled of [cursor.slice(0, -2), `${cursor}==`, `${cursor} `]) {
        const page = await call(`/items?owner=me&after=${encodeURIComponent(spoiled)}`, {
          token: pager.token,
        });
        expectProblem(page, 400);
      }
    });

    it('filters with owner=me', async () => {
      const filterer = await stack.userToken('authz-filterer', ['editor']);
      await seedItem(filterer.subject, 'mine');
      await seedItem('not-the-filterer', 'theirs');

      const mine = await call('/items?owner=me&limit=100', { token: filterer.token });
      expect(mine.status).toBe(200);
      expect(
        (mine.body.items as { owner: string; name: string }[]).map(({ owner, name }) => ({ owner, name })),
      ).toEqual([{ owner: filterer.subject, name: 'mine' }]);
      const all = await call('/items?limit=100', { token: filterer.token });
      expect((all.body.items as { owner: string }[]).some((item) => item.owner !== filterer.subject)).toBe(
        true,
      );
    });

    it('answers 404 for an unknown item id, uuid or not', async () => {
      const token = callers.admin.token;
      for (const id of [randomUUID(), 'not-a-uuid', '1', `${randomUUID()}0`, "1' OR '1'='1"]) {
        const path = `/items/${encodeURIComponent(id)}`;
        expectProblem(await call(path, { token }), 404);
        expectProblem(await call(path, { token, method: 'PATCH', json: { name: 'x' } }), 404);
        expectProblem(await call(path, { token, method: 'DELETE' }), 404);
      }
    });

    it('answers an unknown route with a 404 problem', async () => {
      expectProblem(await call('/nope'), 404);
      expectProblem(await call('/nope', { token: callers.admin.token }), 404);
      expectProblem(await call('/items/a/b', { token: callers.admin.token }), 404);
    });

    it('answers a wrong method with a 405 problem listing the allowed ones (RFC 9110 §15.5.6)', async () => {
      const token = callers.admin.token;
      const collection = await call('/items', { token, method: 'PUT', json: { name: 'x' } });
      expectProblem(collection, 405);
      expect(collection.headers.get('allow')?.split(/,\s*/).sort()).toEqual(['GET', 'HEAD', 'POST']);

      const item = await call(`/items/${randomUUID()}`, { token, method: 'PUT', json: { name: 'x' } });
      expectProblem(item, 405);
      expect(item.headers.get('allow')?.split(/,\s*/).sort()).toEqual(['DELETE', 'GET', 'HEAD', 'PATCH']);

      expectProblem(await call('/items', { token, method: 'DELETE' }), 405);

      const unknown = await call('/items', { token, method: 'PROPFIND' });
      expectProblem(unknown, 501);
    });
  });

  it('never sent a stack trace or internals in any refusal', () => {
    expect(failures.length).toBeGreaterThan(50);
    expect(failures.filter((failure) => STACK_TRACE.test(failure.text))).toEqual([]);
  });
});
