import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import type { ApiOperation } from '../../src/openapi/api-operation.js';
import {
  buildOpenApiDocument,
  type OpenApiDocument,
  type OpenApiDocumentOptions,
  openApiPath,
} from '../../src/openapi/build-openapi-document.js';
import { checkOpenApiDocument } from '../../src/openapi/check-openapi-document.js';

const issuer = 'https://auth.example.test';

const widgetView = z.strictObject({
  id: z.string(),
  name: z.string(),
  size: z.number().int().nullable(),
  createdAt: z.string(),
});
const listWidgetsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Page size'),
  after: z.string().min(1).optional(),
  archived: z.stringbool().optional(),
});
const createWidgetBody = z.strictObject({
  name: z.string().trim().min(1).max(50),
  size: z.number().int().positive().optional(),
});
/** Refined, transformed and with a default: parts JSON Schema cannot say must not break generation. */
const updateWidgetBody = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .transform((name) => name.toLowerCase())
      .optional(),
    size: z
      .number()
      .refine((size) => size % 2 === 0, 'must be even')
      .optional(),
  })
  .refine((body) => body.name !== undefined || body.size !== undefined, 'give name or size');

const widgetRead = { scopes: ['widgets:read'], permissions: ['widgets:read'] };

const operations: ApiOperation[] = [
  {
    method: 'get',
    path: '/widgets',
    summary: 'List widgets',
    tag: 'widgets',
    security: widgetRead,
    query: listWidgetsQuery,
    responses: {
      200: {
        description: 'A page',
        body: z.strictObject({ widgets: z.array(widgetView), nextCursor: z.string().nullable() }),
      },
    },
  },
  {
    method: 'post',
    path: '/widgets',
    summary: 'Create a widget',
    tag: 'widgets',
    security: { scopes: ['widgets:write'], roles: ['editor'] },
    body: createWidgetBody,
    responses: {
      201: { description: 'Created', body: widgetView, headers: { Location: 'The new widget' } },
    },
    errors: [409],
  },
  {
    method: 'patch',
    path: '/widgets/:id',
    summary: 'Change a widget',
    tag: 'widgets',
    security: { scopes: ['widgets:write'], anyOf: [{ roles: ['admin'] }, { permissions: ['widgets:any'] }] },
    params: { id: { description: 'The widget id', schema: z.uuid() } },
    body: updateWidgetBody,
    responses: { 200: { description: 'Changed', body: widgetView } },
    errors: [404],
  },
  {
    method: 'delete',
    path: '/widgets/:id/parts/:part',
    summary: 'Remove a part',
    tag: 'parts',
    security: {},
    params: { id: { description: 'The widget id' }, part: { description: 'The part name' } },
    responses: { 204: { description: 'Removed' } },
  },
  {
    method: 'get',
    path: '/status',
    summary: 'Public status',
    tag: 'meta',
    responses: { 200: { description: 'Up', body: z.object({ up: z.boolean() }) } },
  },
];

const options: OpenApiDocumentOptions = {
  title: 'Widgets API',
  version: '1.2.3',
  description: 'Widgets, for testing.',
  authorization: {
    issuer,
    scopes: { 'widgets:read': 'Read widgets' },
    flows: ['clientCredentials', 'password'],
  },
  tags: [{ name: 'widgets', description: 'The widgets' }],
  operations,
};

type Json = Record<string, unknown>;
const operation = (document: OpenApiDocument, method: string, path: string) =>
  document.paths[path]?.[method] as Json;

describe('buildOpenApiDocument', () => {
  const document = buildOpenApiDocument(options);

  it('produces a structurally valid OpenAPI 3.1 document', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toEqual({
      title: 'Widgets API',
      version: '1.2.3',
      description: 'Widgets, for testing.',
    });
    expect(document.servers).toEqual([{ url: '/' }]);
    expect(checkOpenApiDocument(document)).toEqual([]);
  });

  it('converts koa paths to OpenAPI templates and describes every path parameter', () => {
    expect(openApiPath('/users/:id/roles/:role')).toBe('/users/{id}/roles/{role}');
    expect(openApiPath('/users/')).toBe('/users');
    expect(Object.keys(document.paths)).toEqual([
      '/status',
      '/token',
      '/widgets',
      '/widgets/{id}',
      '/widgets/{id}/parts/{part}',
    ]);
    expect(operation(document, 'delete', '/widgets/{id}/parts/{part}').parameters).toEqual([
      { name: 'id', in: 'path', required: true, description: 'The widget id', schema: { type: 'string' } },
      { name: 'part', in: 'path', required: true, description: 'The part name', schema: { type: 'string' } },
    ]);
    const [id] = operation(document, 'patch', '/widgets/{id}').parameters as Json[];
    expect(id).toMatchObject({ name: 'id', in: 'path', required: true, schema: { format: 'uuid' } });
  });

  it('turns each property of the query schema into a query parameter, described as a client sends it', () => {
    expect(operation(document, 'get', '/widgets').parameters).toEqual([
      {
        name: 'limit',
        in: 'query',
        // A default makes it optional for the client (zod "input" mode).
        required: false,
        description: 'Page size',
        schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
      },
      { name: 'after', in: 'query', required: false, schema: { type: 'string', minLength: 1 } },
      { name: 'archived', in: 'query', required: false, schema: { type: 'string' } },
    ]);
  });

  it('documents the JSON body from the route schema, and answers from the view schemas', () => {
    const create = operation(document, 'post', '/widgets');
    expect(create.requestBody).toEqual({
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 50 },
              size: { type: 'integer', exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER },
            },
            required: ['name'],
            additionalProperties: false,
          },
        },
      },
    });
    const created = (create.responses as Json)['201'] as Json;
    expect(created).toMatchObject({
      description: 'Created',
      headers: { Location: { description: 'The new widget', schema: { type: 'string' } } },
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['id', 'name', 'size', 'createdAt'],
            properties: { size: { anyOf: [{ type: 'integer' }, { type: 'null' }] } },
            additionalProperties: false,
          },
        },
      },
    });
  });

  it('does not crash on refinements and transforms; they are documented as far as JSON Schema can say', () => {
    const body = (operation(document, 'patch', '/widgets/{id}').requestBody as Json).content as Json;
    expect((body['application/json'] as Json).schema).toEqual({
      type: 'object',
      properties: { name: { type: 'string', minLength: 1 }, size: { type: 'number' } },
      additionalProperties: false,
    });
    // An optional body (a route that also accepts none) is documented as not required.
    const optional = buildOpenApiDocument({
      ...options,
      operations: [{ ...operations[1], body: createWidgetBody.optional() } as ApiOperation],
    });
    expect((operation(optional, 'post', '/widgets').requestBody as Json).required).toBe(false);
    // A transform in an answer becomes "any" rather than an exception.
    const transformed = buildOpenApiDocument({
      ...options,
      operations: [
        {
          method: 'get',
          path: '/odd',
          summary: 'Odd',
          tag: 'meta',
          responses: {
            200: { description: 'Odd', body: z.object({ n: z.string().transform(Number), d: z.date() }) },
          },
        },
      ],
    });
    expect(checkOpenApiDocument(transformed)).toEqual([]);
  });

  it('answers errors as problem+json through one shared Problem schema, 401/403 on every secured operation', () => {
    const responses = (method: string, path: string) =>
      Object.keys(operation(document, method, path).responses as Json);
    expect(responses('get', '/widgets')).toEqual(['200', '400', '401', '403']);
    expect(responses('post', '/widgets')).toEqual(['201', '400', '401', '403', '409', '413', '415']);
    expect(responses('patch', '/widgets/{id}')).toEqual(['200', '400', '401', '403', '404', '413', '415']);
    expect(responses('delete', '/widgets/{id}/parts/{part}')).toEqual(['204', '401', '403']);
    expect(responses('get', '/status')).toEqual(['200']);
    expect((operation(document, 'get', '/widgets').responses as Json)['401']).toEqual({
      $ref: '#/components/responses/Unauthorized',
    });
    expect(document.components.responses.Unauthorized).toMatchObject({
      headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    });
    expect(Object.keys(document.components.responses)).toEqual([
      'BadRequest',
      'Unauthorized',
      'Forbidden',
      'NotFound',
      'Conflict',
      'ContentTooLarge',
      'UnsupportedMediaType',
    ]);
    const problem = document.components.schemas.Problem as Json;
    expect(problem).toMatchObject({
      type: 'object',
      required: ['type', 'title', 'status'],
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        instance: { type: 'string' },
        errors: {
          type: 'array',
          items: { type: 'object', required: ['path', 'message'] },
        },
      },
    });
  });

  it('lists the scopes each secured operation needs and states roles and permissions in words and data', () => {
    const list = operation(document, 'get', '/widgets');
    expect(list.security).toEqual([{ oauth2: ['widgets:read'] }, { bearerAuth: [] }]);
    expect(list['x-portcullis-requirement']).toEqual({
      scopes: ['widgets:read'],
      permissions: ['widgets:read'],
    });
    expect(list.description).toBe(
      '**Requires** an access token with scope `widgets:read` and permission `widgets:read`.',
    );
    expect(operation(document, 'post', '/widgets').description).toBe(
      '**Requires** an access token with scope `widgets:write` and role `editor`.',
    );
    const patch = operation(document, 'patch', '/widgets/{id}');
    expect(patch.description).toBe(
      '**Requires** an access token with scope `widgets:write` and one of: role `admin`; or permission `widgets:any`.',
    );
    expect(patch['x-portcullis-requirement']).toEqual({
      scopes: ['widgets:write'],
      anyOf: [{ roles: ['admin'] }, { permissions: ['widgets:any'] }],
    });
    const anyToken = operation(document, 'delete', '/widgets/{id}/parts/{part}');
    expect(anyToken.security).toEqual([{ oauth2: [] }, { bearerAuth: [] }]);
    expect(anyToken.description).toBe('**Requires** a valid access token.');
    expect(operation(document, 'get', '/status').security).toEqual([]);
  });

  it('declares an oauth2 scheme with the flows and every scope used, plus bearerAuth for a JWT', () => {
    const { oauth2, bearerAuth } = document.components.securitySchemes;
    const scopes = { 'widgets:read': 'Read widgets', 'widgets:write': '' };
    expect(oauth2).toMatchObject({
      type: 'oauth2',
      flows: {
        clientCredentials: { tokenUrl: `${issuer}/token`, scopes },
        password: { tokenUrl: `${issuer}/token`, scopes },
      },
    });
    expect(bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });

  it("documents the issuer's token endpoint with the issuer as the operation's server", () => {
    const token = operation(document, 'post', '/token');
    expect(token).toMatchObject({
      tags: ['oauth2'],
      operationId: 'requestToken',
      servers: [{ url: issuer }],
      security: [{ clientBasic: [] }, {}],
      requestBody: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': { schema: { $ref: '#/components/schemas/TokenRequest' } },
        },
      },
    });
    expect(Object.keys(token.responses as Json)).toEqual(['200', '400', '401']);
    const request = document.components.schemas.TokenRequest as Json;
    expect(request.required).toEqual(['grant_type']);
    expect((request.properties as Json).grant_type).toEqual({
      type: 'string',
      enum: ['client_credentials', 'password', 'refresh_token'],
      description: 'client_credentials, password, refresh_token',
    });
    expect(Object.keys(request.properties as Json)).toEqual(
      expect.arrayContaining(['scope', 'resource', 'username', 'password', 'refresh_token']),
    );
    expect(document.components.schemas.TokenResponse).toMatchObject({
      required: ['access_token', 'token_type', 'expires_in'],
    });
    expect(document.components.schemas.TokenError).toMatchObject({
      properties: { error: { enum: expect.arrayContaining(['invalid_grant', 'invalid_client']) } },
    });
    // Only the grants offered are described.
    const clientOnly = buildOpenApiDocument({
      ...options,
      authorization: { issuer, grantTypes: ['client_credentials'] },
    });
    const onlyRequest = clientOnly.components.schemas.TokenRequest as Json;
    expect((onlyRequest.properties as Json).grant_type).toMatchObject({ enum: ['client_credentials'] });
    expect(onlyRequest.properties).not.toHaveProperty('password');
  });

  it('orders tags as declared, then the rest alphabetically, then the token endpoint', () => {
    expect(document.tags.map((tag) => tag.name)).toEqual(['widgets', 'meta', 'parts', 'oauth2']);
  });

  it('is deterministic: the order operations are given in does not change the output', () => {
    const reversed = buildOpenApiDocument({ ...options, operations: [...operations].reverse() });
    expect(JSON.stringify(reversed)).toBe(JSON.stringify(document));
    expect(JSON.stringify(buildOpenApiDocument(options))).toBe(JSON.stringify(document));
  });

  it('moves named and recursive schemas to components, so every $ref resolves in the document', () => {
    const node: z.ZodType<{ name: string; children: unknown[] }> = z.object({
      name: z.string(),
      get children() {
        return z.array(node);
      },
    });
    const named = z.object({ id: z.string() }).meta({ id: 'NamedThing' });
    const tree = buildOpenApiDocument({
      ...options,
      operations: [
        {
          method: 'get',
          path: '/tree',
          summary: 'Tree',
          tag: 'meta',
          responses: { 200: { description: 'Tree', body: z.object({ root: node, thing: named }) } },
        },
      ],
    });
    expect(checkOpenApiDocument(tree)).toEqual([]);
    expect(JSON.stringify(tree)).not.toContain('$defs');
    expect(tree.components.schemas).toHaveProperty('NamedThing');
  });

  it('leaves out what zod adds beyond the standard: regexes next to a format, empty additionalProperties', () => {
    const stamped = buildOpenApiDocument({
      ...options,
      operations: [
        {
          method: 'get',
          path: '/stamp',
          summary: 'Stamp',
          tag: 'meta',
          responses: {
            200: {
              description: 'Stamp',
              body: z.object({ at: z.iso.datetime(), by: z.email(), code: z.string().regex(/^[A-Z]{3}$/) }),
            },
          },
        },
      ],
    });
    const schema = ((operation(stamped, 'get', '/stamp').responses as Json)['200'] as Json).content as Json;
    expect(((schema['application/json'] as Json).schema as Json).properties).toEqual({
      at: { type: 'string', format: 'date-time' },
      by: { type: 'string', format: 'email' },
      code: { type: 'string', pattern: '^[A-Z]{3}$' },
    });
    // Problem details may carry extension members: allowed by leaving additionalProperties out.
    expect(stamped.components.schemas.Problem).not.toHaveProperty('additionalProperties');
  });

  it('refuses two operations for the same method and path', () => {
    expect(() =>
      buildOpenApiDocument({ ...options, operations: [operations[0], operations[0]] as ApiOperation[] }),
    ).toThrow('GET /widgets is documented twice');
  });
});

describe('checkOpenApiDocument', () => {
  const valid = buildOpenApiDocument(options);
  const broken = (change: (document: Json) => void) => {
    const copy = structuredClone(valid) as unknown as Json;
    change(copy);
    return checkOpenApiDocument(copy);
  };
  const paths = (document: Json) => document.paths as Record<string, Record<string, Json>>;

  it('reports missing required fields', () => {
    expect(broken((document) => delete document.openapi)).toEqual(['openapi: must be "3.1.0"']);
    expect(broken((document) => delete (document.info as Json).version)).toEqual([
      'info: needs title and version',
    ]);
  });

  it('reports a path template without its parameter, and a response without a description', () => {
    expect(
      broken((document) => {
        const patch = paths(document)['/widgets/{id}']?.patch as Json;
        patch.parameters = [];
        delete ((patch.responses as Json)['200'] as Json).description;
      }),
    ).toEqual([
      'PATCH /widgets/{id}: {id} has no path parameter',
      'PATCH /widgets/{id}: response 200 needs a description',
    ]);
  });

  it('reports dangling references and undeclared security schemes or scopes', () => {
    expect(
      broken((document) => {
        delete ((document.components as Json).responses as Json).NotFound;
        const list = paths(document)['/widgets']?.get as Json;
        list.security = [{ oauth2: ['widgets:nuke'] }, { apiKey: [] }];
      }),
    ).toEqual([
      'GET /widgets: scope widgets:nuke is not declared by oauth2',
      'GET /widgets: security names undeclared scheme apiKey',
      '$ref: #/components/responses/NotFound resolves to nothing',
    ]);
  });
});
