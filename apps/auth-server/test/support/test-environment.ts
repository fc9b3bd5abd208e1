import { randomBytes } from 'node:crypto';

export const testResource = 'https://api.portcullis.test';
export const otherResource = 'https://reports.portcullis.test';
export const testScopes = ['items:read', 'items:write', 'items:delete'];

/** A complete, valid environment for one auth server; secrets are fresh per call. */
export function testEnvironment(
  databaseUrl: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    PORTCULLIS_MODE: 'development',
    ISSUER: 'http://127.0.0.1:4000',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    CLIENT_SECRET_PEPPER: randomBytes(32).toString('base64url'),
    API_KEY_HASH_KEY: randomBytes(32).toString('base64url'),
    DEFAULT_RESOURCE: testResource,
    RESOURCES: `${testResource},${otherResource}`,
    SCOPES: testScopes.join(' '),
    // Cheapest argon2id the config accepts: tests check behaviour, not cost.
    ARGON2_MEMORY_KIB: '8192',
    ARGON2_TIME_COST: '1',
    // Suites fire many requests from 127.0.0.1 in a minute; the limit tests set their own low values.
    RATE_LIMIT_TOKEN_PER_IP: '100000',
    RATE_LIMIT_TOKEN_PER_CLIENT: '100000',
    RATE_LIMIT_PASSWORD_PER_IP: '100000',
    LOG_LEVEL: 'silent',
    ...overrides,
  };
}
