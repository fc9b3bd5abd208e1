import type { PrismaClient } from '@portcullis/db';
import type { Logger } from '@portcullis/service-kit';
import type { EmailConfig } from './email-config.js';
import type { EmailTransport } from './email-transport.js';
import { createOutboxEmailTransport } from './outbox-email-transport.js';
import { createSmtpEmailTransport } from './smtp-email-transport.js';

/** Production without a feature that sends mail: a send is a programming error, refused loudly. */
const noEmailTransport: EmailTransport = {
  send: () =>
    Promise.reject(new Error('no email transport: set EMAIL_TRANSPORT (a feature that sends mail is on?)')),
  close: async () => {},
};

/**
 * The configured transport (EMAIL_TRANSPORT), created once by the container. Logs where mail goes, never
 * the SMTP credentials.
 *
 * @example
 * const emailTransport = createEmailTransport(config.email, { prisma, logger });
 */
export function createEmailTransport(
  config: EmailConfig,
  dependencies: { prisma: PrismaClient; logger: Logger },
): EmailTransport {
  const { prisma, logger } = dependencies;
  if (config.transport === 'none') return noEmailTransport;
  if (config.transport === 'outbox') {
    logger.info('email goes to the email_outbox table (development): npm run email:outbox -- ADDRESS');
    return createOutboxEmailTransport(prisma);
  }
  const { host, port, secure, requireTls } = config.smtp;
  logger.info(
    { host, port, tls: secure ? 'implicit' : requireTls ? 'starttls' : 'opportunistic' },
    'email goes out over SMTP',
  );
  return createSmtpEmailTransport({ from: config.from, smtp: config.smtp });
}
