import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { SmtpSettings } from '../../src/email/email-config.js';
import { EmailDeliveryError } from '../../src/email/email-delivery-error.js';
import type { EmailTransport } from '../../src/email/email-transport.js';
import { createSmtpEmailTransport } from '../../src/email/smtp-email-transport.js';

interface ReceivedMessage {
  mailFrom: string;
  rcptTo: string[];
  raw: string;
}

interface LoopbackSmtpServer {
  port: number;
  received: ReceivedMessage[];
  authAttempts: number;
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server, by nodemailer's authors) on a free loopback port. */
async function startSmtpServer(options: SMTPServerOptions): Promise<LoopbackSmtpServer> {
  const received: ReceivedMessage[] = [];
  const state = { authAttempts: 0 };
  const server = new SMTPServer({
    logger: false,
    closeTimeout: 1000,
    ...options,
    onAuth(auth, session, callback) {
      state.authAttempts += 1;
      if (options.onAuth) return options.onAuth(auth, session, callback);
      callback(new Error('no authentication here'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          rcptTo: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    get authAttempts() {
      return state.authAttempts;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Accepts TCP connections and never says a word: the hung SMTP server every timeout is for. */
async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const smtpSettings = (port: number, overrides: Partial<SmtpSettings> = {}): SmtpSettings => ({
  host: '127.0.0.1',
  port,
  secure: false,
  auth: undefined,
  requireTls: false,
  timeoutMs: 2000,
  ...overrides,
});

const FROM = 'Portcullis <no-reply@example.com>';
const message = {
  to: 'alice@example.com',
  subject: 'Reset your password',
  text: 'Open this link within 30 minutes:\nhttp://localhost:4000/account/reset-password#token=abc\n',
};

/** Everything a logger could print of an error. */
const everythingIn = (error: unknown) => {
  const fields = error instanceof Error ? { ...error, message: error.message, stack: error.stack } : error;
  return JSON.stringify(fields);
};

async function rejectionOf(promise: Promise<unknown>): Promise<EmailDeliveryError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EmailDeliveryError);
    return error as EmailDeliveryError;
  }
  throw new Error('expected send to reject');
}

describe('SMTP email transport against a real SMTP server on loopback', () => {
  const cleanups: (() => Promise<void>)[] = [];
  const track = <T extends { close(): Promise<void> }>(resource: T): T => {
    cleanups.push(() => resource.close());
    return resource;
  };
  afterEach(async () => {
    // Transports first (they were tracked last), then the servers they talk to.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('delivers a message with the configured From, the recipient, subject and body', async () => {
    const server = track(await startSmtpServer({ disabledCommands: ['STARTTLS'], authOptional: true }));
    const transport: EmailTransport = track(
      createSmtpEmailTransport({ from: FROM, smtp: smtpSettings(server.port) }),
    );

    await transport.send(message);

    expect(server.received).toHaveLength(1);
    const [delivered] = server.received;
    expect(delivered).toMatchObject({ mailFrom: 'no-reply@example.com', rcptTo: ['alice@example.com'] });
    const [headers = '', body = ''] = delivered!.raw.split('\r\n\r\n');
    expect(headers).toMatch(/^From: Portcullis <no-reply@example.com>$/m);
    expect(headers).toMatch(/^To: alice@example.com$/m);
    expect(headers).toMatch(/^Subject: Reset your password$/m);
    expect(headers).toMatch(/^Content-Type: text\/plain; charset=utf-8$/m);
    expect(body.replace(/\r\n/g, '\n')).toBe(message.text);
  });

  it('authenticates with the credentials from SMTP_URL', async () => {
    const server = track(
      await startSmtpServer({
        disabledCommands: ['STARTTLS'],
        allowInsecureAuth: true,
        onAuth: (auth, _session, callback) =>
          auth.username === 'mailer' && auth.password === 'right-Pa55'
            ? callback(null, { user: auth.username })
            : callback(new Error('Invalid username or password')),
      }),
    );
    const transport = track(
      createSmtpEmailTransport({
        from: FROM,
        smtp: smtpSettings(server.port, { auth: { user: 'mailer', pass: 'right-Pa55' } }),
      }),
    );

    await transport.send(message);
    expect(server.received.map((received) => received.rcptTo)).toEqual([['alice@example.com']]);
  });

  it('rejects on a wrong password with an error that carries no password in any form', async () => {
    const password = 'wr0ng-Pa55:secret';
    const server = track(
      await startSmtpServer({
        disabledCommands: ['STARTTLS'],
        allowInsecureAuth: true,
        onAuth: (_auth, _session, callback) => callback(new Error('Invalid username or password')),
      }),
    );
    const transport = track(
      createSmtpEmailTransport({
        from: FROM,
        smtp: smtpSettings(server.port, { auth: { user: 'mailer', pass: password } }),
      }),
    );

    const error = await rejectionOf(transport.send(message));

    expect(error.code).toBe('EAUTH');
    expect(error.responseCode).toBe(535);
    expect(server.authAttempts).toBeGreaterThan(0);
    expect(server.received).toHaveLength(0);
    const printed = everythingIn(error);
    for (const form of [
      password,
      encodeURIComponent(password),
      Buffer.from(password).toString('base64'),
      Buffer.from(`\0mailer\0${password}`).toString('base64'),
    ]) {
      expect(printed).not.toContain(form);
    }
    expect(error.cause).toBeUndefined();
  });

  it('rejects, within a bounded time, when the server accepts TCP but never greets', async () => {
    const silent = track(await startSilentServer());
    const transport = track(
      createSmtpEmailTransport({ from: FROM, smtp: smtpSettings(silent.port, { timeoutMs: 300 }) }),
    );

    const error = await rejectionOf(transport.send(message));

    // Bounded by SMTP_TIMEOUT_SECONDS (here 0.3 s): the send gave up on its own, the server never answered.
    expect(error.code).toBe('ETIMEDOUT');
  }, 20_000);

  it('refuses to send when STARTTLS is required and the server does not offer it, before any AUTH', async () => {
    const server = track(
      await startSmtpServer({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true, authOptional: true }),
    );
    const transport = track(
      createSmtpEmailTransport({
        from: FROM,
        smtp: smtpSettings(server.port, { requireTls: true, auth: { user: 'mailer', pass: 'in-the-clear' } }),
      }),
    );

    const error = await rejectionOf(transport.send(message));

    expect(error.code).toBe('ETLS');
    expect(server.authAttempts).toBe(0);
    expect(server.received).toHaveLength(0);
    expect(everythingIn(error)).not.toContain('in-the-clear');
  });

  it('refuses a server whose certificate it cannot verify (no silent fallback to plain text)', async () => {
    // smtp-server offers STARTTLS with its built-in self-signed certificate.
    const server = track(await startSmtpServer({ authOptional: true }));
    const transport = track(
      createSmtpEmailTransport({ from: FROM, smtp: smtpSettings(server.port, { requireTls: true }) }),
    );

    const error = await rejectionOf(transport.send(message));

    expect(error.message).toMatch(/certificate/i);
    expect(server.received).toHaveLength(0);
  });

  it('rejects once closed', async () => {
    const server = track(await startSmtpServer({ disabledCommands: ['STARTTLS'], authOptional: true }));
    const transport = createSmtpEmailTransport({ from: FROM, smtp: smtpSettings(server.port) });
    await transport.close();

    expect((await rejectionOf(transport.send(message))).code).toBe('ECLOSED');
    expect(server.received).toHaveLength(0);
  });

  it('refuses a message for more than one recipient before it reaches the server', async () => {
    const server = track(await startSmtpServer({ disabledCommands: ['STARTTLS'], authOptional: true }));
    const transport = track(createSmtpEmailTransport({ from: FROM, smtp: smtpSettings(server.port) }));

    await expect(
      transport.send({ ...message, to: 'alice@example.com, mallory@example.com' }),
    ).rejects.toThrow(TypeError);
    expect(server.received).toHaveLength(0);
  });
});
