import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@portcullis/service-kit';
import { passwordResetMessage, verificationMessage } from '../../src/account/account-messages.js';
import { accountRouteMethods } from '../../src/account/account-route-methods.js';
import { ACCOUNT_TOKEN_PATTERN, createAccountTokenCodec } from '../../src/account/account-token-codec.js';
import { createBackgroundMailer } from '../../src/account/background-mailer.js';
import type { EmailMessage, EmailTransport } from '../../src/email/email-transport.js';

const links = { linkBaseUrl: 'https://id.example.com/account', issuer: 'https://auth.example.com' };

describe('account tokens', () => {
  it('are 32 random bytes in base64url, stored as a keyed HMAC that depends on the secret', () => {
    const secret = randomBytes(32);
    const codec = createAccountTokenCodec(secret);
    const { token, id } = codec.issue();
    expect(token).toMatch(ACCOUNT_TOKEN_PATTERN);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(codec.idOf(token)).toBe(id);
    expect(createAccountTokenCodec(randomBytes(32)).idOf(token)).not.toBe(id);
    expect(codec.issue().token).not.toBe(token);
  });

  it('refuse a short secret', () => {
    expect(() => createAccountTokenCodec(randomBytes(16))).toThrow(TypeError);
  });
});

describe('account messages', () => {
  it('put the token in the link fragment and state how long it works', () => {
    const verify = verificationMessage(links, 'a@example.com', 'TOKEN', 86_400);
    expect(verify.text).toContain('https://id.example.com/account/verify-email#token=TOKEN');
    expect(verify.text).toContain('24 hours');
    const reset = passwordResetMessage(links, 'a@example.com', 'TOKEN', 1800);
    expect(reset.text).toContain('https://id.example.com/account/reset-password#token=TOKEN');
    expect(reset.text).toContain('30 minutes');
    expect(reset.text).toContain('POST https://auth.example.com/account/password-reset/confirm');
  });
});

describe('account route table', () => {
  it('lists only the routes of the features that are on', () => {
    expect(
      accountRouteMethods({ selfRegistration: false, passwordChange: false, passwordReset: false }),
    ).toEqual({
      '/account/verify-email': ['POST'],
    });
    expect(
      Object.keys(
        accountRouteMethods({ selfRegistration: true, passwordChange: true, passwordReset: true }),
      ).sort(),
    ).toEqual([
      '/account/password',
      '/account/password-reset',
      '/account/password-reset/confirm',
      '/account/register',
      '/account/verification-email',
      '/account/verify-email',
    ]);
  });
});

describe('background mailer', () => {
  it('logs a failed send by kind and error code, never the recipient, text or error message', async () => {
    const lines: string[] = [];
    const logger = createLogger('test', 'info', { write: (line: string) => void lines.push(line) });
    // An interface stub of the transport (email only, no store behind it): the SMTP error echoes the message.
    const failing: EmailTransport = {
      send: async (message: EmailMessage) => {
        throw Object.assign(new Error(`rejected ${message.to}: ${message.text}`), { code: 'EENVELOPE' });
      },
      close: async () => {},
    };
    const mailer = createBackgroundMailer(failing, logger);
    mailer.send('reset-password', passwordResetMessage(links, 'victim@example.com', 'SECRET-TOKEN', 60));
    await mailer.idle();
    const logged = lines.join('');
    expect(logged).toContain('reset-password');
    expect(logged).toContain('EENVELOPE');
    expect(logged).not.toContain('victim@example.com');
    expect(logged).not.toContain('SECRET-TOKEN');
  });

  it('hands messages over without waiting for them', async () => {
    const sent: EmailMessage[] = [];
    let release = () => {};
    const slow: EmailTransport = {
      send: (message) =>
        new Promise<void>((resolve) => {
          release = () => {
            sent.push(message);
            resolve();
          };
        }),
      close: async () => {},
    };
    const mailer = createBackgroundMailer(slow, createLogger('test', 'silent'));
    mailer.send('verify-email', verificationMessage(links, 'a@example.com', 'T', 60));
    expect(sent).toEqual([]);
    release();
    await mailer.idle();
    expect(sent.map((message) => message.to)).toEqual(['a@example.com']);
  });
});
