/** Typed failures of API key operations, with stable codes the admin API maps to problems. */

/** The user or client named as owner does not exist (404). */
export class ApiKeyOwnerNotFoundError extends Error {
  readonly code = 'ERR_API_KEY_OWNER_NOT_FOUND';
  readonly ownerType: 'user' | 'client';
  constructor(ownerType: 'user' | 'client') {
    super(`no ${ownerType} with this id`);
    this.name = 'ApiKeyOwnerNotFoundError';
    this.ownerType = ownerType;
  }
}

/** The owner is disabled: it gets no new keys (409). */
export class ApiKeyOwnerDisabledError extends Error {
  readonly code = 'ERR_API_KEY_OWNER_DISABLED';
  constructor(ownerType: 'user' | 'client') {
    super(`the ${ownerType} is disabled`);
    this.name = 'ApiKeyOwnerDisabledError';
  }
}

/** What the key would carry is not the owner's to give, or not this server's (400), one message per issue. */
export class ApiKeyGrantInvalidError extends Error {
  readonly code = 'ERR_API_KEY_GRANT_INVALID';
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`the key cannot carry this: ${issues.join('; ')}`);
    this.name = 'ApiKeyGrantInvalidError';
    this.issues = issues;
  }
}

/** The key is revoked, expired or already rotated (its successor is the one to rotate): 409. */
export class ApiKeyNotActiveError extends Error {
  readonly code = 'ERR_API_KEY_NOT_ACTIVE';
  constructor() {
    super('the key is revoked, expired or already rotated');
    this.name = 'ApiKeyNotActiveError';
  }
}
