import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config.js';
import { parseEmailConfig } from '../../src/email/email-config.js';
import { testEnvironment } from '../support/test-environment.js';

const development = (overrides: Record<string, string> = {}) =>
  testEnvironment('postgres://postgres@127.0.0.1:5432/portcullis', overrides);
const production = (overrides: Record<string, string | undefined> = {}) => ({
  ...development(),
  PORTCULLIS_MODE: 'production',
  ISSUER: 'https://auth.example.com',
  REDIS_URL: 'redis://127.0.0.1:6379',
  // A feature that sends mail: without one, production needs no transport (tested below).
  PASSWORD_RESET_ENABLED: 'true',
  SMTP_URL: 'smtps://mailer:s3cret-Pa55@mail.example.com',
  EMAIL_FROM: 'Portcullis <no-reply@example.com>',
  ...overrides,
});

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
const namesOf = (problems: string[]) => problems.map((problem) => problem.split(':')[0]);

describe('loadConfig: email (EMAIL_TRANSPORT, EMAIL_FROM, SMTP_*)', () => {
  it('keeps mail in the outbox table in development when nothing is set (npm start works as is)', () => {
    expect(loadConfig(development()).email).toEqual({ transport: 'outbox' });
  });

  it('needs no transport in production when no feature sends mail and none is chosen', () => {
    const tokensOnly = { SMTP_URL: undefined, EMAIL_FROM: undefined, PASSWORD_RESET_ENABLED: undefined };
    expect(loadConfig(production(tokensOnly)).email).toEqual({ transport: 'none' });
    expect(loadConfig(production({ ...tokensOnly, PASSWORD_RESET_ENABLED: 'false' })).email).toEqual({
      transport: 'none',
    });
    for (const feature of ['SELF_REGISTRATION_ENABLED', 'PASSWORD_RESET_ENABLED']) {
      expect(namesOf(problemsOf(production({ ...tokensOnly, [feature]: 'true' })))).toEqual([
        'SMTP_URL',
        'EMAIL_FROM',
      ]);
    }
  });

  it('sends over SMTP in production by default, STARTTLS required and 10 s timeouts', () => {
    expect(loadConfig(production({ SMTP_URL: 'smtp://mailer:s3cret-Pa55@mail.example.com' })).email).toEqual({
      transport: 'smtp',
      from: 'Portcullis <no-reply@example.com>',
      smtp: {
        host: 'mail.example.com',
        port: 587,
        secure: false,
        auth: { user: 'mailer', pass: 's3cret-Pa55' },
        requireTls: true,
        timeoutMs: 10_000,
      },
    });
  });

  it('refuses the outbox in production, in one message that says why and what to set', () => {
    expect(problemsOf(production({ EMAIL_TRANSPORT: 'outbox' }))).toEqual([
      'EMAIL_TRANSPORT: outbox is for development only: it stores single-use links in the clear (set EMAIL_TRANSPORT=smtp with SMTP_URL and EMAIL_FROM, or PORTCULLIS_MODE=development)',
    ]);
  });

  it('requires SMTP_URL and EMAIL_FROM with smtp, in production by default and in development when chosen', () => {
    const missing = { SMTP_URL: undefined, EMAIL_FROM: undefined };
    expect(namesOf(problemsOf(production(missing)))).toEqual(['SMTP_URL', 'EMAIL_FROM']);
    expect(problemsOf(production(missing))[0]).toMatch(
      /^SMTP_URL: required with EMAIL_TRANSPORT=smtp \(the default in production\)/,
    );
    expect(namesOf(problemsOf({ ...development({ EMAIL_TRANSPORT: 'smtp' }) }))).toEqual([
      'SMTP_URL',
      'EMAIL_FROM',
    ]);
    expect(namesOf(problemsOf(production({ SMTP_URL: '', EMAIL_FROM: '' })))).toEqual([
      'SMTP_URL',
      'EMAIL_FROM',
    ]);
  });

  it('reports email problems together with every other problem', () => {
    const problems = problemsOf({
      PORTCULLIS_MODE: 'production',
      PASSWORD_RESET_ENABLED: 'true',
      SMTP_URL: 'http://mail.example.com',
    });
    expect(namesOf(problems)).toEqual(expect.arrayContaining(['ISSUER', 'DATABASE_URL', 'SMTP_URL']));
  });

  it('refuses an unknown transport', () => {
    expect(namesOf(problemsOf(development({ EMAIL_TRANSPORT: 'sendmail' })))).toEqual(['EMAIL_TRANSPORT']);
  });

  describe('SMTP_URL', () => {
    const smtpOf = (url: string, overrides: Record<string, string> = {}) => {
      const config = loadConfig(production({ SMTP_URL: url, ...overrides })).email;
      if (config.transport !== 'smtp') throw new Error('expected smtp');
      return config.smtp;
    };

    it('takes smtps:// (implicit TLS, port 465) and smtp:// (port 587), with or without credentials', () => {
      expect(smtpOf('smtps://mail.example.com')).toMatchObject({ port: 465, secure: true, auth: undefined });
      expect(smtpOf('smtp://relay.internal:2525')).toMatchObject({
        host: 'relay.internal',
        port: 2525,
        secure: false,
      });
      expect(smtpOf('smtp://[::1]:25').host).toBe('::1');
    });

    it('decodes a percent-encoded user and password', () => {
      expect(smtpOf('smtps://apikey%40example.com:p%3Ass%2Fw0rd@mail.example.com').auth).toEqual({
        user: 'apikey@example.com',
        pass: 'p:ss/w0rd',
      });
    });

    it.each([
      ['not a URL', 'mail.example.com:587'],
      ['another scheme', 'https://mail.example.com'],
      ['a path', 'smtp://mail.example.com/inbox'],
      ['a query (nodemailer would read options from it)', 'smtp://mail.example.com?ignoreTLS=true'],
      ['a user without a password', 'smtp://mailer@mail.example.com'],
      ['broken percent-encoding', 'smtp://mailer:%E0%A4%A@mail.example.com'],
    ])('refuses %s, without echoing the URL', (_, url) => {
      const withSecret = url.replace('mail.example.com', 'hunter2.example.com');
      const problems = problemsOf(production({ SMTP_URL: withSecret }));
      expect(namesOf(problems)).toEqual(['SMTP_URL']);
      expect(problems.join('\n')).not.toContain('hunter2');
    });
  });

  describe('SMTP_REQUIRE_TLS', () => {
    it('defaults to true in production and false in development (a local mail catcher), and reads the switch', () => {
      const smtp = {
        EMAIL_TRANSPORT: 'smtp',
        SMTP_URL: 'smtp://127.0.0.1:1025',
        EMAIL_FROM: 'dev@example.com',
      };
      expect(parseEmailConfig(development(smtp)).config).toMatchObject({ smtp: { requireTls: false } });
      expect(parseEmailConfig(production(smtp)).config).toMatchObject({ smtp: { requireTls: true } });
      expect(parseEmailConfig(development({ ...smtp, SMTP_REQUIRE_TLS: 'true' })).config).toMatchObject({
        smtp: { requireTls: true },
      });
      expect(namesOf(problemsOf(production({ SMTP_REQUIRE_TLS: 'maybe' })))).toEqual(['SMTP_REQUIRE_TLS']);
    });

    it('refuses, in production, credentials on smtp:// without STARTTLS (a password in the clear)', () => {
      const plain = { SMTP_URL: 'smtp://mailer:s3cret-Pa55@mail.example.com', SMTP_REQUIRE_TLS: 'false' };
      expect(problemsOf(production(plain))).toEqual([
        expect.stringMatching(
          /^SMTP_REQUIRE_TLS: must stay true in production when SMTP_URL carries credentials/,
        ),
      ]);
      // No credentials (a relay on the host), or TLS from the first byte: nothing to protect or already protected.
      expect(loadConfig(production({ ...plain, SMTP_URL: 'smtp://relay.internal:25' })).email.transport).toBe(
        'smtp',
      );
      expect(
        loadConfig(production({ ...plain, SMTP_URL: 'smtps://mailer:pw@mail.example.com' })).email.transport,
      ).toBe('smtp');
      expect(
        loadConfig(development({ ...plain, EMAIL_TRANSPORT: 'smtp', EMAIL_FROM: 'a@example.com' })).email
          .transport,
      ).toBe('smtp');
    });
  });

  describe('EMAIL_FROM', () => {
    it.each([
      'no-reply@example.com',
      'Portcullis <no-reply@example.com>',
      '"Example, Inc." <no-reply@example.com>',
    ])('accepts %p', (from) => {
      expect(loadConfig(production({ EMAIL_FROM: from })).email).toMatchObject({ from });
    });

    it.each([
      ['not an address', 'no-reply'],
      ['two addresses', 'a@example.com, b@example.com'],
      ['an unclosed bracket', 'Portcullis <no-reply@example.com'],
      ['a header of its own', 'no-reply@example.com\r\nBcc: victim@example.com'],
    ])('refuses %s', (_, from) => {
      expect(namesOf(problemsOf(production({ EMAIL_FROM: from })))).toEqual(['EMAIL_FROM']);
    });
  });

  describe('SMTP_TIMEOUT_SECONDS', () => {
    it('bounds connect, greeting and socket waits, in ms', () => {
      expect(loadConfig(production({ SMTP_TIMEOUT_SECONDS: '3' })).email).toMatchObject({
        smtp: { timeoutMs: 3000 },
      });
    });

    it.each(['0', '301', '2.5', 'soon'])('refuses %p', (value) => {
      expect(namesOf(problemsOf(production({ SMTP_TIMEOUT_SECONDS: value })))).toEqual([
        'SMTP_TIMEOUT_SECONDS',
      ]);
    });
  });
});
