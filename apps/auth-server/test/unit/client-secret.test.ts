import { describe, expect, it } from '@jest/globals';
import {
  clientSecretMatches,
  generateClientSecret,
  hashClientSecret,
} from '../../src/credentials/client-secret.js';

const pepper = Buffer.alloc(32, 1);

describe('client secrets', () => {
  it('verifies the secret it hashed, and nothing else', () => {
    const secret = generateClientSecret();
    const stored = hashClientSecret(secret, pepper);
    expect(clientSecretMatches(secret, stored, pepper)).toBe(true);
    expect(clientSecretMatches(`${secret}x`, stored, pepper)).toBe(false);
    expect(clientSecretMatches(secret, stored, Buffer.alloc(32, 2))).toBe(false);
    expect(clientSecretMatches(secret, 'not-hex', pepper)).toBe(false);
  });

  it('generates 256-bit secrets', () => {
    expect(Buffer.from(generateClientSecret(), 'base64url')).toHaveLength(32);
  });
});
