import type { ZodType } from 'zod';
import type { ApiOperation, HttpMethod, OperationResponse, OperationSecurity } from './api-operation.js';
import { type SchemaComponents, type SchemaObject, toOpenApiSchema } from './openapi-schema.js';
import { PROBLEM_SCHEMA_NAME, problemDetailsView, problemResponse } from './problem-responses.js';
import {
  TOKEN_GRANT_TYPES,
  type TokenGrantType,
  tokenEndpointDescription,
  tokenErrorView,
  tokenRequestSchema,
  tokenResponseView,
} from './token-endpoint.js';

export type OAuthFlow = 'clientCredentials' | 'password';

export interface OpenApiAuthorization {
  /** The issuer identifier; its token endpoint is `<issuer><tokenPath>`. */
  issuer: string;
  /** Scopes with what each allows. Scopes the operations require are added when missing here. */
  scopes?: Record<string, string>;
  /** Flows offered in the `oauth2` scheme (Swagger UI's "Authorize"). Default `['clientCredentials']`. */
  flows?: readonly OAuthFlow[];
  /** Grants documented on the token endpoint. Default: client_credentials, password, refresh_token. */
  grantTypes?: readonly TokenGrantType[];
  /** Default `/token` (oidc-provider's). */
  tokenPath?: string;
  /** Added to the `oauth2` scheme's description: what to ask for, e.g. which resource indicator. */
  description?: string;
}

export interface OpenApiDocumentOptions {
  title: string;
  /** The API contract's version (OpenAPI `info.version`), not the package's. */
  version: string;
  description?: string;
  /** Default `[{ url: '/' }]`: the API is served by the host that serves the document. */
  servers?: readonly { url: string; description?: string }[];
  authorization: OpenApiAuthorization;
  /** Tags in the order the viewer shows them, with descriptions; tags only operations name come after. */
  tags?: readonly { name: string; description?: string }[];
  /** Problem statuses every secured operation may answer. Default `[401, 403]`. */
  securedErrors?: readonly number[];
  operations: readonly ApiOperation[];
}

/** An OpenAPI 3.1 document: plain JSON, ready for `JSON.stringify`. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  servers: { url: string; description?: string }[];
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: {
    schemas: Record<string, SchemaObject>;
    responses: Record<string, Record<string, unknown>>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
}

const METHOD_ORDER: readonly HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete'];
const TOKEN_TAG = 'oauth2';
const JSON_TYPE = 'application/json';

/**
 * Builds the OpenAPI 3.1 document of an API from its operations, with request and answer schemas generated
 * from the zod schemas the routes use. Also documents the issuer's token endpoint (with the issuer as its
 * server) and the `oauth2` (client credentials / password flows) and `bearerAuth` (JWT) schemes. Output is
 * deterministic: paths sorted, methods in a fixed order, components sorted by name.
 *
 * @example
 * const document = buildOpenApiDocument({
 *   title: 'Items API', version: '1.0.0', authorization: { issuer, flows: ['clientCredentials', 'password'] },
 *   operations: [...itemOperations, ...meOperations],
 * });
 */
export function buildOpenApiDocument(options: OpenApiDocumentOptions): OpenApiDocument {
  const schemas: SchemaComponents = new Map();
  const problemStatuses = new Set<number>();
  const grantTypes = options.authorization.grantTypes ?? TOKEN_GRANT_TYPES;
  const tokenPath = options.authorization.tokenPath ?? '/token';
  const issuer = options.authorization.issuer.replace(/\/$/, '');

  const operations = [...options.operations].sort(
    (a, b) =>
      byCodeUnits(openApiPath(a.path), openApiPath(b.path)) ||
      METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method),
  );
  const paths: OpenApiDocument['paths'] = {};
  const pathItem = (path: string) => {
    paths[path] = paths[path] ?? {};
    return paths[path];
  };
  for (const operation of operations) {
    const path = openApiPath(operation.path);
    const item = pathItem(path);
    if (item[operation.method]) {
      throw new Error(`${operation.method.toUpperCase()} ${path} is documented twice`);
    }
    item[operation.method] = buildOperation(operation, options, schemas, problemStatuses);
  }
  const tokenItem = pathItem(tokenPath);
  if (tokenItem.post) throw new Error(`POST ${tokenPath} collides with the token endpoint`);
  tokenItem.post = buildTokenOperation(issuer, grantTypes, schemas);

  schemas.set(
    PROBLEM_SCHEMA_NAME,
    toOpenApiSchema(problemDetailsView, 'output', new Map(), { context: 'Problem' }),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: options.title,
      version: options.version,
      ...(options.description ? { description: options.description } : {}),
    },
    servers: (options.servers ?? [{ url: '/' }]).map((server) => ({ ...server })),
    tags: documentTags(options, operations),
    paths: sortedByKey(paths),
    components: {
      schemas: sortedByKey(Object.fromEntries(schemas)),
      responses: problemResponseComponents(problemStatuses),
      securitySchemes: securitySchemes(options, operations, issuer + tokenPath),
    },
  };
}

/**
 * An @koa/router path in OpenAPI form, without a trailing slash.
 *
 * @example
 * openApiPath('/users/:id/roles/:role'); // '/users/{id}/roles/{role}'
 */
export function openApiPath(koaPath: string): string {
  const path = koaPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  return path.length > 1 ? path.replace(/\/$/, '') : path;
}

function pathParameterNames(koaPath: string): string[] {
  return [...koaPath.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1] as string);
}

function buildOperation(
  operation: ApiOperation,
  options: OpenApiDocumentOptions,
  schemas: SchemaComponents,
  problemStatuses: Set<number>,
): Record<string, unknown> {
  const operationId = operation.operationId ?? defaultOperationId(operation);
  const context = operationId.charAt(0).toUpperCase() + operationId.slice(1);
  const secured = operation.security !== undefined;
  const errors = new Set<number>(operation.errors ?? []);
  if (secured) for (const status of options.securedErrors ?? [401, 403]) errors.add(status);
  if (operation.query || operation.body) errors.add(400);
  if (operation.body) for (const status of [413, 415]) errors.add(status);
  for (const status of errors) problemStatuses.add(status);

  const parameters = [
    ...pathParameters(operation, schemas, context),
    ...(operation.query ? queryParameters(operation.query, schemas, context) : []),
  ];
  const description = [operation.description, operation.security && requirementText(operation.security)]
    .filter(Boolean)
    .join('\n\n');
  return {
    tags: [operation.tag],
    summary: operation.summary,
    ...(description ? { description } : {}),
    operationId,
    ...(operation.security
      ? {
          security: [{ oauth2: requiredScopes(operation.security) }, { bearerAuth: [] }],
          'x-portcullis-requirement': requirementExtension(operation.security),
        }
      : { security: [] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: !operation.body.safeParse(undefined).success,
            content: {
              [JSON_TYPE]: {
                schema: toOpenApiSchema(operation.body, 'input', schemas, { context: `${context}Body` }),
              },
            },
          },
        }
      : {}),
    responses: {
      ...Object.fromEntries(
        Object.entries(operation.responses).map(([status, response]) => [
          status,
          successResponse(response, schemas, `${context}Response${status}`),
        ]),
      ),
      ...Object.fromEntries(
        [...errors]
          .sort((a, b) => a - b)
          .map((status) => [
            String(status),
            { $ref: `#/components/responses/${problemResponse(status).name}` },
          ]),
      ),
    },
  };
}

/** `get /users/:id/roles/:role` → `getUsersByIdRolesByRole`. */
function defaultOperationId({ method, path }: ApiOperation): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .map((segment) => (segment.startsWith(':') ? `by-${segment.slice(1)}` : segment))
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return method + words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
}

function pathParameters(operation: ApiOperation, schemas: SchemaComponents, context: string) {
  return pathParameterNames(operation.path).map((name) => {
    const described = operation.params?.[name];
    return {
      name,
      in: 'path',
      required: true,
      ...(described?.description ? { description: described.description } : {}),
      schema: described?.schema
        ? toOpenApiSchema(described.schema, 'input', schemas, { context: `${context}Param` })
        : { type: 'string' },
    };
  });
}

/** One parameter per property of the query object; its description moves from the schema to the parameter. */
function queryParameters(query: ZodType, schemas: SchemaComponents, context: string) {
  const converted = toOpenApiSchema(query, 'input', schemas, { context: `${context}Query` });
  const object = resolve(converted, schemas);
  const properties = (object.properties ?? {}) as Record<string, SchemaObject>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, { description, ...schema }]) => ({
    name,
    in: 'query',
    required: required.has(name),
    ...(typeof description === 'string' ? { description } : {}),
    schema,
  }));
}

function resolve(schema: SchemaObject, schemas: SchemaComponents): SchemaObject {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  return schemas.get(ref.slice('#/components/schemas/'.length)) ?? {};
}

function successResponse(response: OperationResponse, schemas: SchemaComponents, context: string) {
  return {
    description: response.description,
    ...(response.headers ? { headers: headerObjects(response.headers) } : {}),
    ...(response.body
      ? {
          content: {
            [JSON_TYPE]: { schema: toOpenApiSchema(response.body, 'output', schemas, { context }) },
          },
        }
      : {}),
  };
}

function headerObjects(headers: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
  );
}

/** Scopes a token must carry, for the `oauth2` security requirement: the requirement's own and its allOf's. */
function requiredScopes(security: OperationSecurity): string[] {
  return [...new Set([...(security.scopes ?? []), ...(security.allOf ?? []).flatMap(requiredScopes)])];
}

function requirementExtension(security: OperationSecurity): Record<string, unknown> {
  const extension: Record<string, unknown> = {};
  for (const key of ['scopes', 'roles', 'permissions'] as const) {
    if (security[key]?.length) extension[key] = [...(security[key] ?? [])];
  }
  for (const key of ['allOf', 'anyOf'] as const) {
    if (security[key]?.length) extension[key] = (security[key] ?? []).map(requirementExtension);
  }
  return extension;
}

/** The requirement in words, for readers of the viewer: `**Requires** scope `admin` and permission `x``. */
function requirementText(security: OperationSecurity): string {
  const parts = requirementParts(security);
  return parts.length === 0
    ? '**Requires** a valid access token.'
    : `**Requires** an access token with ${parts.join(' and ')}.`;
}

function requirementParts(security: OperationSecurity): string[] {
  const list = (singular: string, names: readonly string[] | undefined) =>
    names?.length
      ? [`${names.length > 1 ? `${singular}s` : singular} ${names.map((name) => `\`${name}\``).join(', ')}`]
      : [];
  const nested = (requirement: OperationSecurity) => {
    const parts = requirementParts(requirement);
    return parts.length > 1 ? `(${parts.join(' and ')})` : (parts[0] ?? 'a valid token');
  };
  return [
    ...list('scope', security.scopes),
    ...list('role', security.roles),
    ...list('permission', security.permissions),
    ...(security.allOf ?? []).flatMap(requirementParts),
    ...(security.anyOf?.length ? [`one of: ${security.anyOf.map(nested).join('; or ')}`] : []),
  ];
}

function buildTokenOperation(
  issuer: string,
  grantTypes: readonly TokenGrantType[],
  schemas: SchemaComponents,
): Record<string, unknown> {
  const tokenError = (description: string, headers?: Record<string, string>) => ({
    description,
    headers: headerObjects({ 'Cache-Control': '`no-store`', ...headers }),
    content: {
      [JSON_TYPE]: {
        schema: toOpenApiSchema(tokenErrorView, 'output', schemas, {
          context: 'TokenError',
          name: 'TokenError',
        }),
      },
    },
  });
  return {
    tags: [TOKEN_TAG],
    summary: 'Get an access token',
    description: tokenEndpointDescription(grantTypes),
    operationId: 'requestToken',
    servers: [{ url: issuer, description: 'The authorization server (issuer)' }],
    // HTTP Basic client authentication, or none here with the client's credentials in the form.
    security: [{ clientBasic: [] }, {}],
    requestBody: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': {
          schema: toOpenApiSchema(tokenRequestSchema(grantTypes), 'input', schemas, {
            context: 'TokenRequest',
            name: 'TokenRequest',
          }),
        },
      },
    },
    responses: {
      '200': {
        description: 'The token (RFC 6749 §5.1)',
        headers: headerObjects({ 'Cache-Control': '`no-store`' }),
        content: {
          [JSON_TYPE]: {
            schema: toOpenApiSchema(tokenResponseView, 'output', schemas, {
              context: 'TokenResponse',
              name: 'TokenResponse',
            }),
          },
        },
      },
      '400': tokenError(
        'RFC 6749 §5.2: `invalid_request`, `invalid_grant` (bad credentials or refresh token), ' +
          '`unauthorized_client`, `unsupported_grant_type`, `invalid_scope` or `invalid_target` (resource)',
      ),
      '401': tokenError('`invalid_client`: client authentication failed', {
        'WWW-Authenticate': 'The `Basic` challenge, when the client used HTTP Basic',
      }),
    },
  };
}

function documentTags(options: OpenApiDocumentOptions, operations: readonly ApiOperation[]) {
  const declared = (options.tags ?? []).map((tag) => ({ ...tag }));
  const names = new Set(declared.map((tag) => tag.name));
  const undeclared = [...new Set(operations.map((operation) => operation.tag))]
    .filter((name) => !names.has(name))
    .sort();
  const token = names.has(TOKEN_TAG)
    ? []
    : [{ name: TOKEN_TAG, description: 'Getting a token from the authorization server' }];
  return [...declared, ...undeclared.map((name) => ({ name })), ...token];
}

function problemResponseComponents(statuses: Set<number>) {
  const responses: Record<string, Record<string, unknown>> = {};
  for (const status of [...statuses].sort((a, b) => a - b)) {
    const { name, description, headers } = problemResponse(status);
    responses[name] = {
      description,
      ...(headers ? { headers: headerObjects(headers) } : {}),
      content: {
        'application/problem+json': { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA_NAME}` } },
      },
    };
  }
  return responses;
}

function securitySchemes(
  options: OpenApiDocumentOptions,
  operations: readonly ApiOperation[],
  tokenUrl: string,
): OpenApiDocument['components']['securitySchemes'] {
  const { authorization } = options;
  const scopes: Record<string, string> = { ...authorization.scopes };
  for (const operation of operations) {
    for (const scope of operation.security ? requiredScopes(operation.security) : []) scopes[scope] ??= '';
  }
  const sortedScopes = sortedByKey(scopes);
  const flows = authorization.flows ?? ['clientCredentials'];
  return {
    oauth2: {
      type: 'oauth2',
      description: [
        `Access tokens from ${authorization.issuer} (RFC 9068 JWTs). Operations list the scopes they need; ` +
          'roles and permissions come from the subject and are checked too (see each description).',
        authorization.description,
      ]
        .filter(Boolean)
        .join('\n\n'),
      flows: Object.fromEntries(flows.map((flow) => [flow, { tokenUrl, scopes: sortedScopes }])),
    },
    bearerAuth: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'An access token obtained elsewhere (e.g. with curl), sent as `Authorization: Bearer`.',
    },
    clientBasic: {
      type: 'http',
      scheme: 'basic',
      description: 'Client authentication at the token endpoint: client id and secret (RFC 6749 §2.3.1).',
    },
  };
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => byCodeUnits(a, b)));
}

/** Not localeCompare: the order must not depend on the machine's locale. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
