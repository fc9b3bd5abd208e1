import { deleteOutboxEmailsBefore, insertOutboxEmail, type PrismaClient } from '@portcullis/db';
import { checkEmailMessage } from './check-email-message.js';
import type { EmailTransport } from './email-transport.js';

/** How long outbox rows are kept: long enough to read a link, short enough that the table stays small. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 3600 * 1000;

/**
 * The development transport (EMAIL_TRANSPORT=outbox): each message becomes an email_outbox row that
 * `npm run email:outbox -- ADDRESS` prints. config.ts refuses it in production: the rows hold single-use
 * links in the clear.
 *
 * @example
 * const transport = createOutboxEmailTransport(prisma);
 * await transport.send({ to: 'alice@example.com', subject: 'Verify your address', text });
 */
export function createOutboxEmailTransport(prisma: PrismaClient): EmailTransport {
  return {
    async send(message) {
      checkEmailMessage(message);
      await insertOutboxEmail(prisma, {
        recipient: message.to,
        subject: message.subject,
        text: message.text,
      });
    },
    // The PrismaClient is the container's; it disconnects it.
    async close() {},
  };
}

/**
 * Deletes outbox rows older than OUTBOX_RETENTION_MS (the container's hourly cleanup); returns how many.
 *
 * @example
 * await deleteExpiredOutboxEmails(prisma);
 */
export function deleteExpiredOutboxEmails(prisma: PrismaClient, now = new Date()): Promise<number> {
  return deleteOutboxEmailsBefore(prisma, new Date(now.getTime() - OUTBOX_RETENTION_MS));
}
