// @ts-check
import { randomBytes } from 'node:crypto';

/** Far above any load here: limits still run on every request (and cost what they cost), never refuse. */
const UNREACHABLE_LIMIT = '1000000000';
export const BENCH_SCOPES = 'items:read items:write items:delete';

/**
 * @typedef {{ databaseUrl: string, redisUrl: string, keyPrefix: string, issuer: string, resource: string,
 *   secrets: { KEY_ENCRYPTION_KEY: string, CLIENT_SECRET_PEPPER: string, API_KEY_HASH_KEY: string } }} AppSettings
 */

/** Development secrets for this run only. */
export function benchSecrets() {
  return {
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    CLIENT_SECRET_PEPPER: randomBytes(32).toString('base64url'),
    API_KEY_HASH_KEY: randomBytes(32).toString('base64url'),
  };
}

/** The libuv pool size from our environment, passed identically to the auth server and argon2-ceiling. */
export function threadPoolEnv() {
  return process.env.UV_THREADPOOL_SIZE ? { UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE } : {};
}

/**
 * The auth server as deployed apart from limits: info logs (access logs on), metrics listener on any free
 * port, argon2 and hash concurrency at their defaults. Every auth server of a run shares one ISSUER.
 * @param {AppSettings} settings @param {number} port
 */
export function authServerEnv(settings, port) {
  return {
    PORTCULLIS_MODE: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    ADMIN_PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    ISSUER: settings.issuer,
    DATABASE_URL: settings.databaseUrl,
    REDIS_URL: settings.redisUrl,
    REDIS_KEY_PREFIX: settings.keyPrefix,
    ...settings.secrets,
    DEFAULT_RESOURCE: settings.resource,
    SCOPES: BENCH_SCOPES,
    RATE_LIMIT_TOKEN_PER_IP: UNREACHABLE_LIMIT,
    RATE_LIMIT_TOKEN_PER_CLIENT: UNREACHABLE_LIMIT,
    RATE_LIMIT_PASSWORD_PER_IP: UNREACHABLE_LIMIT,
    // `begin` counts an attempt as failed until it succeeds: concurrent logins of one user would lock it.
    LOGIN_LOCKOUT_THRESHOLD: UNREACHABLE_LIMIT,
    ...threadPoolEnv(),
  };
}

/**
 * The resource server: real PostgreSQL and Redis, JWKS from a running auth server.
 * @param {AppSettings} settings @param {number} port @param {string} jwksUri
 */
export function resourceServerEnv(settings, port, jwksUri) {
  return {
    PORTCULLIS_MODE: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    ISSUER: settings.issuer,
    AUDIENCE: settings.resource,
    JWKS_URI: jwksUri,
    DATABASE_URL: settings.databaseUrl,
    REDIS_URL: settings.redisUrl,
    REDIS_KEY_PREFIX: settings.keyPrefix,
    RATE_LIMIT_PER_SUBJECT: UNREACHABLE_LIMIT,
  };
}
