import type { Logger } from '@portcullis/service-kit';
import type { EmailMessage, EmailTransport } from '../email/email-transport.js';

/**
 * Hands a message to the transport without waiting; `kind` names it in the log. A function is run in the
 * background first: work that only happens when an account exists (storing a link's token) must not make
 * that answer slower than the one for an unknown address.
 */
export type SendInBackground = (kind: string, message: EmailMessage | (() => Promise<EmailMessage>)) => void;

export interface BackgroundMailer {
  send: SendInBackground;
  /** Resolves when every message handed over so far has been sent or has failed (tests, shutdown). */
  idle(): Promise<void>;
}

/**
 * Sends account mail after the answer is decided, never in the request's path: the same-answer endpoints
 * (register, reset) must take as long whether a message goes out or not, and a slow SMTP server must not
 * slow them down. A failure is logged with the message kind and the error's name and code only — never the
 * recipient, the text (it carries a single-use link) or the error message (an SMTP server may echo either).
 */
export function createBackgroundMailer(transport: EmailTransport, logger: Logger): BackgroundMailer {
  const pending = new Set<Promise<void>>();
  return {
    send(kind, message) {
      const handedOver =
        typeof message === 'function'
          ? message().then((ready) => transport.send(ready))
          : transport.send(message);
      const sending = handedOver
        .catch((error: unknown) => {
          const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
          logger.warn(
            { kind, error: { name: String(name), code: code === undefined ? undefined : String(code) } },
            'account email not sent',
          );
        })
        .finally(() => pending.delete(sending));
      pending.add(sending);
    },
    async idle() {
      await Promise.all([...pending]);
    },
  };
}
