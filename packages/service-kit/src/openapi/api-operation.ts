import type { ZodType } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What a bearer token must carry for an operation (the guard's Requirement, flattened for documentation). */
export interface OperationSecurity {
  scopes?: readonly string[];
  roles?: readonly string[];
  permissions?: readonly string[];
}

export interface OperationResponse {
  description: string;
  /** The JSON body's shape; omitted for 204 and for problem+json answers (documented once, shared). */
  body?: ZodType;
}

/**
 * One documented HTTP operation. Route modules declare these next to their routers, using the very zod
 * schemas the routes validate with, so the OpenAPI document cannot describe a request the API would refuse.
 * A test compares each router's layers with its operations, so a route cannot go undocumented.
 */
export interface ApiOperation {
  method: HttpMethod;
  /** In @koa/router form, e.g. `/users/:id`; converted to `/users/{id}` for OpenAPI. */
  path: string;
  summary: string;
  description?: string;
  /** The resource group, e.g. `users`. */
  tag: string;
  /** Omitted for an operation that needs no token. */
  security?: OperationSecurity;
  /** Path parameters described, by name; each is a string unless given a schema. */
  params?: Record<string, { description: string; schema?: ZodType }>;
  query?: ZodType;
  body?: ZodType;
  /** Success answers by status. Error statuses (400, 401, 403, 404, 409, …) are listed in `errors`. */
  responses: Record<number, OperationResponse>;
  /** Statuses answered as application/problem+json beyond the ones every secured operation has (401, 403). */
  errors?: number[];
}
