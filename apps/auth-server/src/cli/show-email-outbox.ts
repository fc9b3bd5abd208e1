#!/usr/bin/env node
import { createPrismaClient, listOutboxEmails, type OutboxEmail } from '@portcullis/db';
import { z } from 'zod';

/** Where `npm start` puts its database when PostgreSQL answers on the default port (scripts/dev). */
const LOCAL_DEVELOPMENT_DATABASE = 'postgres://postgres@127.0.0.1:5432/portcullis_dev';
const USAGE = 'usage: show-email-outbox ADDRESS [--limit N] [--link]';

const argumentsSchema = z.object({
  recipient: z.email(),
  limit: z.coerce.number().int().min(1).max(100),
  linkOnly: z.boolean(),
});
const environmentSchema = z.object({
  DATABASE_URL: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.url().default(LOCAL_DEVELOPMENT_DATABASE),
  ),
});

/**
 * `email:outbox ADDRESS [--limit N] [--link]` (development, EMAIL_TRANSPORT=outbox): prints the newest
 * messages the auth server "sent" to ADDRESS, newest first (5 by default); with --link, only the first
 * link of the newest one, for scripts (`LINK=$(npm run -s email:outbox -- alice@example.com --link)`).
 * Reads DATABASE_URL, else the local database `npm start` uses.
 */
async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const env = environmentSchema.safeParse(process.env);
  if (!args || !env.success) {
    console.error(env.success ? USAGE : 'DATABASE_URL: must be a postgres:// URL');
    process.exit(2);
  }
  const prisma = createPrismaClient({ databaseUrl: env.data.DATABASE_URL });
  try {
    const emails = await listOutboxEmails(prisma, {
      recipient: args.recipient,
      limit: args.linkOnly ? 1 : args.limit,
    });
    if (args.linkOnly) {
      const link = emails[0]?.text.match(/https?:\/\/\S+/)?.[0];
      if (!link) {
        console.error(`no link in the outbox for ${args.recipient}`);
        process.exit(1);
      }
      console.info(link);
      return;
    }
    console.info(
      emails.length === 0
        ? `no messages in the outbox for ${args.recipient}`
        : emails.map(renderEmail).join('\n\n'),
    );
  } finally {
    await prisma.$disconnect();
  }
}

function parseArguments(argv: string[]): z.infer<typeof argumentsSchema> | undefined {
  const limitFlag = argv.indexOf('--limit');
  const positional = argv.filter(
    (value, index) => !value.startsWith('--') && (limitFlag === -1 || index !== limitFlag + 1),
  );
  const parsed = argumentsSchema.safeParse({
    recipient: positional[0],
    limit: limitFlag === -1 ? 5 : argv[limitFlag + 1],
    linkOnly: argv.includes('--link'),
  });
  return parsed.success && positional.length === 1 ? parsed.data : undefined;
}

function renderEmail(email: OutboxEmail): string {
  return [
    `--- ${email.createdAt.toISOString()}`,
    `To: ${email.recipient}`,
    `Subject: ${email.subject}`,
    '',
    email.text,
  ].join('\n');
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(
    `email:outbox failed: ${withoutDatabasePassword(message)} (set DATABASE_URL to the database the auth server uses)`,
  );
  process.exit(1);
});

function withoutDatabasePassword(message: string): string {
  const parsed = environmentSchema.safeParse(process.env);
  const password = parsed.success ? new URL(parsed.data.DATABASE_URL).password : '';
  return password === ''
    ? message
    : message.split(password).join('[redacted]').split(decodeURIComponent(password)).join('[redacted]');
}
