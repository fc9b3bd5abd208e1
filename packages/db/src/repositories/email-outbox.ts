import type { PrismaClient } from '../generated/client.js';

/**
 * The development mail outbox (issue 8): messages the auth server would have mailed, kept in a table so a
 * developer can read verification and reset links without an SMTP server. Production refuses this transport
 * (the rows hold single-use links in the clear), and old rows are deleted on the hourly cleanup.
 */

export interface NewOutboxEmail {
  recipient: string;
  subject: string;
  text: string;
}

export interface OutboxEmail extends NewOutboxEmail {
  id: string;
  createdAt: Date;
}

/**
 * Stores one message.
 *
 * @example
 * await insertOutboxEmail(prisma, { recipient: 'alice@example.com', subject: 'Verify', text: '...' });
 */
export async function insertOutboxEmail(prisma: PrismaClient, email: NewOutboxEmail): Promise<void> {
  await prisma.emailOutbox.create({
    data: { recipient: email.recipient, subject: email.subject, text: email.text },
    select: { id: true },
  });
}

/**
 * The newest messages to one address, newest first. The address matches case-insensitively: mail systems
 * treat `Alice@Example.com` and `alice@example.com` as one mailbox in practice.
 *
 * @example
 * const [latest] = await listOutboxEmails(prisma, { recipient: 'alice@example.com', limit: 1 });
 */
export async function listOutboxEmails(
  prisma: PrismaClient,
  query: { recipient: string; limit: number },
): Promise<OutboxEmail[]> {
  return prisma.emailOutbox.findMany({
    where: { recipient: { equals: query.recipient, mode: 'insensitive' } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: query.limit,
    select: { id: true, recipient: true, subject: true, text: true, createdAt: true },
  });
}

/**
 * Deletes messages created before `cutoff`; returns how many.
 *
 * @example
 * await deleteOutboxEmailsBefore(prisma, new Date(Date.now() - 7 * 24 * 3600 * 1000));
 */
export async function deleteOutboxEmailsBefore(prisma: PrismaClient, cutoff: Date): Promise<number> {
  const { count } = await prisma.emailOutbox.deleteMany({ where: { createdAt: { lt: cutoff } } });
  return count;
}
