import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createPrismaClient, listOutboxEmails, type PrismaClient } from '@portcullis/db';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import {
  createOutboxEmailTransport,
  deleteExpiredOutboxEmails,
  OUTBOX_RETENTION_MS,
} from '../../src/email/outbox-email-transport.js';
import { runCli } from '../e2e/auth-server-process.js';
import { startTestAuthServer, type TestAuthServer } from '../support/test-auth-server.js';

const DAY_MS = 24 * 3600 * 1000;

/** The development transport against real PostgreSQL: what is sent is what `npm run email:outbox` prints. */
describe('outbox email transport', () => {
  let testDatabase: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    prisma = createPrismaClient({ databaseUrl: testDatabase.url, poolMax: 2 });
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await testDatabase?.drop();
  });
  beforeEach(async () => {
    await prisma.emailOutbox.deleteMany();
  });

  it('stores each message and reads them back newest first, for one address in any case', async () => {
    const transport = createOutboxEmailTransport(prisma);
    await transport.send({ to: 'alice@example.com', subject: 'Verify your address', text: 'first' });
    await transport.send({ to: 'bob@example.com', subject: 'Reset your password', text: 'for bob' });
    await nextMillisecond();
    await transport.send({ to: 'Alice@Example.com', subject: 'Reset your password', text: 'second' });

    const emails = await listOutboxEmails(prisma, { recipient: 'ALICE@example.com', limit: 10 });
    expect(emails.map(({ recipient, subject, text }) => ({ recipient, subject, text }))).toEqual([
      { recipient: 'Alice@Example.com', subject: 'Reset your password', text: 'second' },
      { recipient: 'alice@example.com', subject: 'Verify your address', text: 'first' },
    ]);
    expect(await listOutboxEmails(prisma, { recipient: 'alice@example.com', limit: 1 })).toHaveLength(1);
    await transport.close();
  });

  it.each([
    ['two recipients', { to: 'alice@example.com, mallory@example.com', subject: 'Hi', text: 'x' }],
    ['no address', { to: 'alice', subject: 'Hi', text: 'x' }],
    [
      'a subject spanning lines',
      { to: 'alice@example.com', subject: 'Hi\r\nBcc: mallory@example.com', text: 'x' },
    ],
  ])('refuses a message with %s and stores nothing', async (_, message) => {
    await expect(createOutboxEmailTransport(prisma).send(message)).rejects.toThrow(TypeError);
    expect(await prisma.emailOutbox.count()).toBe(0);
  });

  it('deletes messages older than the retention period and keeps the rest', async () => {
    const now = new Date();
    await prisma.emailOutbox.createMany({
      data: [
        {
          recipient: 'old@example.com',
          subject: 'old',
          text: 'x',
          createdAt: new Date(now.getTime() - 8 * DAY_MS),
        },
        {
          recipient: 'new@example.com',
          subject: 'new',
          text: 'x',
          createdAt: new Date(now.getTime() - DAY_MS),
        },
      ],
    });
    expect(OUTBOX_RETENTION_MS).toBe(7 * DAY_MS);
    expect(await deleteExpiredOutboxEmails(prisma, now)).toBe(1);
    expect((await prisma.emailOutbox.findMany()).map((row) => row.subject)).toEqual(['new']);
  });

  describe('npm run email:outbox', () => {
    const cliEnvironment = () => ({ DATABASE_URL: testDatabase.url });

    it('prints the newest messages for an address, and with --link only the newest one’s link', async () => {
      const transport = createOutboxEmailTransport(prisma);
      await transport.send({
        to: 'carol@example.com',
        subject: 'Verify your address',
        text: 'Open http://localhost:4000/account/verify-email#token=old to verify.',
      });
      await nextMillisecond();
      await transport.send({
        to: 'carol@example.com',
        subject: 'Reset your password',
        text: 'Open http://localhost:4000/account/reset-password#token=new within 30 minutes.',
      });

      const printed = await runCli('cli/show-email-outbox.js', ['carol@example.com'], cliEnvironment());
      expect(printed).toMatch(
        /To: carol@example.com\nSubject: Reset your password\n\nOpen http:\/\/localhost/,
      );
      expect(printed.indexOf('Reset your password')).toBeLessThan(printed.indexOf('Verify your address'));
      expect(
        await runCli('cli/show-email-outbox.js', ['carol@example.com', '--limit', '1'], cliEnvironment()),
      ).not.toContain('Verify your address');
      expect(
        await runCli('cli/show-email-outbox.js', ['carol@example.com', '--link'], cliEnvironment()),
      ).toBe('http://localhost:4000/account/reset-password#token=new\n');
    });

    it('says when there is nothing, and refuses a malformed call with its usage', async () => {
      expect(await runCli('cli/show-email-outbox.js', ['nobody@example.com'], cliEnvironment())).toBe(
        'no messages in the outbox for nobody@example.com\n',
      );
      await expect(runCli('cli/show-email-outbox.js', ['not-an-address'], cliEnvironment())).rejects.toThrow(
        /exited 2: usage: show-email-outbox ADDRESS/,
      );
      await expect(
        runCli('cli/show-email-outbox.js', ['nobody@example.com', '--link'], cliEnvironment()),
      ).rejects.toThrow(/exited 1: no link in the outbox for nobody@example.com/);
    });
  });
});

describe('the auth server container in development', () => {
  let server: TestAuthServer;

  beforeAll(async () => {
    server = await startTestAuthServer();
  });
  afterAll(async () => server?.close());

  it('sends through the outbox when EMAIL_TRANSPORT is unset', async () => {
    expect(server.config.email).toEqual({ transport: 'outbox' });
    await server.container.emailTransport.send({
      to: 'dave@example.com',
      subject: 'Hello',
      text: 'from the container',
    });
    const [email] = await listOutboxEmails(server.prisma, { recipient: 'dave@example.com', limit: 1 });
    expect(email).toMatchObject({ subject: 'Hello', text: 'from the container' });
  });
});

/** createdAt has millisecond precision: a later message must not share its predecessor's timestamp. */
function nextMillisecond(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}
