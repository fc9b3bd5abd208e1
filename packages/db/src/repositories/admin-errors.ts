/** Typed failures of the admin repositories, with stable codes the admin API maps to 409 and 404. */

/**
 * A unique name is already taken (username, email, role or permission name). Stable `code` for a 409.
 *
 * @example
 * if (error instanceof AdminConflictError) throw new Conflict(`${error.resource} already exists`);
 */
export class AdminConflictError extends Error {
  readonly code = 'ERR_DB_CONFLICT';
  /** What kind of record collided: `user`, `role` or `permission`. */
  readonly resource: string;
  /** The colliding columns when PostgreSQL reports them (e.g. `['email']`); empty otherwise. */
  readonly fields: string[];
  constructor(resource: string, fields: string[] = []) {
    super(`${resource} already exists${fields.length > 0 ? ` (${fields.join(', ')} taken)` : ''}`);
    this.name = 'AdminConflictError';
    this.resource = resource;
    this.fields = fields;
  }
}

/**
 * A record named in the request does not exist, e.g. an unknown role when assigning roles. Stable `code`
 * for a 404 (or a 400/422 when the missing thing is in the body rather than the path).
 *
 * @example
 * if (error instanceof AdminNotFoundError) throw new NotFound(`unknown ${error.resource}: ${error.key}`);
 */
export class AdminNotFoundError extends Error {
  readonly code = 'ERR_DB_NOT_FOUND';
  /** What kind of record is missing: `role` or `permission`. */
  readonly resource: string;
  /** The name that was looked up. */
  readonly key: string;
  constructor(resource: string, key: string) {
    super(`${resource} not found: ${key}`);
    this.name = 'AdminNotFoundError';
    this.resource = resource;
    this.key = key;
  }
}
