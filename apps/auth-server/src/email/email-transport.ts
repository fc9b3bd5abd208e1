/** One plain-text message. Never logged whole: `text` carries single-use links. */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

/**
 * How the auth server sends mail (issue 8): the outbox table in development, SMTP in production
 * (EMAIL_TRANSPORT). `send` resolves once the message is handed over (written to the outbox, accepted by the
 * SMTP server) and rejects otherwise; callers that must not reveal anything by timing send in the background.
 */
export interface EmailTransport {
  send(message: EmailMessage): Promise<void>;
  close(): Promise<void>;
}
