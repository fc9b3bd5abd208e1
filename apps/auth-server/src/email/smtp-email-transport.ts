import nodemailer from 'nodemailer';
import { checkEmailMessage } from './check-email-message.js';
import type { SmtpSettings } from './email-config.js';
import { EmailDeliveryError, toEmailDeliveryError } from './email-delivery-error.js';
import type { EmailTransport } from './email-transport.js';

export interface SmtpEmailTransportOptions {
  /** The From header: `no-reply@example.com` or `Example <no-reply@example.com>`. */
  from: string;
  smtp: SmtpSettings;
}

/**
 * Whole-send deadline in SMTP timeouts: connect + greeting + one stalled reply. A server trickling bytes
 * resets the socket timeout forever; this bounds it anyway.
 */
const SEND_DEADLINE_TIMEOUTS = 3;

/**
 * The production transport (EMAIL_TRANSPORT=smtp): one pooled nodemailer transporter for the process.
 * Every wait is bounded (connect, greeting, socket silence, and the whole send), so a hung SMTP server never
 * holds a caller for longer than a few SMTP_TIMEOUT_SECONDS. `send` rejects with an EmailDeliveryError that
 * carries no credential.
 *
 * @example
 * const transport = createSmtpEmailTransport({ from: 'no-reply@example.com', smtp: config.email.smtp });
 * await transport.send({ to: 'alice@example.com', subject: 'Reset your password', text });
 */
export function createSmtpEmailTransport(options: SmtpEmailTransportOptions): EmailTransport {
  const { smtp } = options;
  const transporter = nodemailer.createTransport({
    pool: true,
    // Few connections: account mail is rare and rate-limited per address.
    maxConnections: 2,
    // A pooled connection the server dropped while idle is retried once, not five times (the default).
    maxRequeues: 1,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls && !smtp.secure,
    auth: smtp.auth,
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
    dnsTimeout: smtp.timeoutMs,
    // Certificates are verified (nodemailer's default); no protocol older than TLS 1.2.
    tls: { minVersion: 'TLSv1.2' },
    // Messages are plain text built by us: nothing may make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
  let closed = false;
  return {
    async send(message) {
      checkEmailMessage(message);
      if (closed) throw new EmailDeliveryError('SMTP transport is closed', 'ECLOSED');
      try {
        await transporter.sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          signal: AbortSignal.timeout(SEND_DEADLINE_TIMEOUTS * smtp.timeoutMs),
        });
      } catch (error) {
        throw toEmailDeliveryError(error, smtp.auth);
      }
    },
    async close() {
      closed = true;
      // A delivery in flight finishes (bounded by its own deadline); idle connections close now.
      transporter.close();
    },
  };
}
