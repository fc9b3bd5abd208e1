// @ts-check
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Development secrets, generated once per checkout into `<dataDir>/dev-secrets.json` (mode 0600). The code
 * ships no secret, not even a development one; production takes them from its own environment.
 * @param {string} file
 * @returns {{ KEY_ENCRYPTION_KEY: string, CLIENT_SECRET_PEPPER: string }}
 */
export function loadOrCreateDevSecrets(file) {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const secrets = {
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    CLIENT_SECRET_PEPPER: randomBytes(32).toString('base64url'),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
