import type { ZodType } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * What a bearer token must carry for an operation: the guard's Requirement, so a route's requirement object can
 * be passed as it is. `{}` documents "any valid access token" (`guard.authenticate()`).
 */
export interface OperationSecurity {
  scopes?: readonly string[];
  roles?: readonly string[];
  permissions?: readonly string[];
  allOf?: readonly OperationSecurity[];
  anyOf?: readonly OperationSecurity[];
}

export interface OperationResponse {
  description: string;
  /** The JSON body's shape; omitted for 204 and for problem+json answers (documented once, shared). */
  body?: ZodType;
  /** Response headers worth knowing, by name, with what they carry (e.g. `Location`). */
  headers?: Record<string, string>;
}

/**
 * One documented HTTP operation. Route modules declare these next to their routers, using the very zod
 * schemas the routes validate with, so the OpenAPI document cannot describe a request the API would refuse.
 * A test compares each router's layers with its operations, so a route cannot go undocumented.
 */
export interface ApiOperation {
  /** Default: derived from method and path, e.g. `getUsersById`. */
  operationId?: string;
  method: HttpMethod;
  /** In @koa/router form, e.g. `/users/:id`; converted to `/users/{id}` for OpenAPI. */
  path: string;
  summary: string;
  description?: string;
  /** The resource group, e.g. `users`. */
  tag: string;
  /** Omitted for an operation that needs no token. */
  security?: OperationSecurity;
  /** Path parameters described, by name; each is a string unless given a schema. Each `:name` needs one. */
  params?: Record<string, { description: string; schema?: ZodType }>;
  /** The object schema the route validates `ctx.query` with; each property becomes a query parameter. */
  query?: ZodType;
  /** The JSON body schema the route validates with (read by `readJsonBody`: 400, 413 and 415 are implied). */
  body?: ZodType;
  /** Success answers by status. Error statuses (400, 401, 403, 404, 409, …) are listed in `errors`. */
  responses: Record<number, OperationResponse>;
  /**
   * Statuses answered as application/problem+json. Implied, so listing them is optional: 401 and 403 for a
   * secured operation, 400 for one with a query or body, 413 and 415 for one with a body.
   */
  errors?: number[];
}
