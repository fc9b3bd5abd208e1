// @ts-check
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Marks a secret as made here: a production auth server refuses secrets that begin with these bytes
 * (apps/auth-server/src/development-secret.ts), so a development secret never ends up guarding production.
 */
const DEVELOPMENT_SECRET_MARKER = Buffer.from('portcullis-dev:', 'ascii');

/** 32 bytes, base64url: the marker, then random bytes (136 bits: plenty for a development server). */
function developmentSecret() {
  const random = randomBytes(32 - DEVELOPMENT_SECRET_MARKER.length);
  return Buffer.concat([DEVELOPMENT_SECRET_MARKER, random]).toString('base64url');
}

/**
 * Development secrets, generated once per checkout into `<dataDir>/dev-secrets.json` (mode 0600). The code
 * ships no secret, not even a development one; production takes them from its own environment.
 * A file written before a secret existed (API_KEY_HASH_KEY, issue 8) gets it added; the others are kept.
 * @param {string} file
 * @returns {{ KEY_ENCRYPTION_KEY: string, CLIENT_SECRET_PEPPER: string, API_KEY_HASH_KEY: string }}
 */
export function loadOrCreateDevSecrets(file) {
  const existing = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const secrets = {
    KEY_ENCRYPTION_KEY: developmentSecret(),
    CLIENT_SECRET_PEPPER: developmentSecret(),
    API_KEY_HASH_KEY: developmentSecret(),
    ...existing,
  };
  if (Object.keys(secrets).length !== Object.keys(existing).length) {
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}
