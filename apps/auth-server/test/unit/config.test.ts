import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config.js';
import { testEnvironment } from '../support/test-environment.js';

const valid = () => testEnvironment('postgres://postgres@127.0.0.1:5432/portcullis');

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('parses a complete environment with the documented defaults', () => {
    const config = loadConfig({ ...valid(), ACCESS_TOKEN_TTL_SECONDS: undefined, PORT: undefined });
    expect(config).toMatchObject({
      mode: 'development',
      port: 4000,
      signingAlg: 'ES256',
      ttl: {
        accessToken: 300,
        clientCredentials: 600,
        refreshTokenIdle: 1_209_600,
        refreshTokenAbsolute: 2_592_000,
      },
    });
    expect(config.keyEncryptionKey).toHaveLength(32);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({ PORTCULLIS_MODE: 'production', SIGNING_ALG: 'HS256', PORT: 'eighty' });
    for (const name of [
      'ISSUER',
      'DATABASE_URL',
      'KEY_ENCRYPTION_KEY',
      'CLIENT_SECRET_PEPPER',
      'DEFAULT_RESOURCE',
      'SCOPES',
      'SIGNING_ALG',
      'PORT',
    ]) {
      expect(problems.some((problem) => problem.startsWith(`${name}:`))).toBe(true);
    }
  });

  it('has no default for secrets and checks their length', () => {
    expect(problemsOf({ ...valid(), KEY_ENCRYPTION_KEY: 'c2hvcnQ' })).toEqual([
      'KEY_ENCRYPTION_KEY: must be 32 bytes, base64url-encoded',
    ]);
  });

  it('refuses an http issuer in production', () => {
    expect(problemsOf({ ...valid(), PORTCULLIS_MODE: 'production' })).toEqual([
      'ISSUER: must be an https URL in production (set PORTCULLIS_MODE=development for local http)',
    ]);
  });

  it('defaults to production mode, so forgetting the mode never relaxes a check', () => {
    expect(problemsOf({ ...valid(), PORTCULLIS_MODE: undefined })).toHaveLength(1);
  });

  it('refuses a symmetric or unknown signing algorithm', () => {
    expect(problemsOf({ ...valid(), SIGNING_ALG: 'HS256' })[0]).toMatch(/^SIGNING_ALG:/);
    expect(problemsOf({ ...valid(), SIGNING_ALG: 'none' })[0]).toMatch(/^SIGNING_ALG:/);
  });

  it('refuses a default resource outside the resource list and a reused secret', () => {
    const env = valid();
    expect(
      problemsOf({
        ...env,
        RESOURCES: 'https://other.example',
        CLIENT_SECRET_PEPPER: env.KEY_ENCRYPTION_KEY,
      }),
    ).toEqual([
      'RESOURCES: must include DEFAULT_RESOURCE',
      'CLIENT_SECRET_PEPPER: must differ from KEY_ENCRYPTION_KEY',
    ]);
  });
});
