import { describe, expect, it } from '@jest/globals';
import { isCommonPassword } from '../../src/credentials/common-passwords.js';
import {
  MAX_PASSWORD_BYTES,
  passwordProblemMessages,
  passwordProblems,
} from '../../src/credentials/password-policy.js';

describe('isCommonPassword', () => {
  it.each(['password123', 'PASSWORD123', 'Password123', 'qwertyuiop', '12345678', 'iloveyou1'])(
    'knows %s, ignoring case',
    (password) => {
      expect(isCommonPassword(password)).toBe(true);
    },
  );

  it.each(['plover quartz lantern', 'correct horse battery', 'x7#Lq9!vTm2@'])(
    'does not know %s',
    (password) => {
      expect(isCommonPassword(password)).toBe(false);
    },
  );

  it('keeps only entries of 8 characters or more (shorter ones fail the length rule first)', () => {
    expect(isCommonPassword('dragon')).toBe(false);
    expect(isCommonPassword('password')).toBe(true);
  });
});

describe('passwordProblems', () => {
  it('accepts a long passphrase without composition rules', () => {
    expect(passwordProblems('plover quartz lantern')).toEqual([]);
    expect(passwordProblems('alllowercaseletters')).toEqual([]);
  });

  it('counts characters as Unicode code points, not UTF-16 units', () => {
    expect(passwordProblems('😀'.repeat(8))).toEqual([]);
    // Fourteen UTF-16 units, seven characters.
    expect(passwordProblems('😀'.repeat(7))).toEqual(['too_short']);
    expect(passwordProblems('seven77')).toEqual(['too_short']);
  });

  it('caps the UTF-8 bytes, not the characters', () => {
    expect(passwordProblems('x'.repeat(MAX_PASSWORD_BYTES))).toEqual([]);
    expect(passwordProblems('x'.repeat(MAX_PASSWORD_BYTES + 1))).toEqual(['too_long']);
    // 513 two-byte characters: 1026 bytes.
    expect(passwordProblems('é'.repeat(513))).toEqual(['too_long']);
  });

  it('refuses a common password', () => {
    expect(passwordProblems('Password123')).toEqual(['common']);
  });

  it('refuses the username or the email, ignoring case (context-specific words)', () => {
    const context = { username: 'dana.smith', email: 'Dana.Smith@example.test' };
    expect(passwordProblems('DANA.SMITH', context)).toEqual(['same_as_username']);
    expect(passwordProblems('dana.smith@EXAMPLE.test', context)).toEqual(['same_as_email']);
    expect(passwordProblems('dana.smith plus more', context)).toEqual([]);
    expect(passwordProblems('dana.smith@example.test', { username: 'dana', email: null })).toEqual([]);
  });

  it('has a message for every problem that names the rule and not the password', () => {
    expect(passwordProblemMessages.common).toBe('is too common: it appears in lists of breached passwords');
    for (const message of Object.values(passwordProblemMessages)) expect(message).not.toMatch(/password123/i);
  });
});
