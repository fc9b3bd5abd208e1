import { z } from 'zod';
import type { EmailMessage } from './email-transport.js';

const singleAddress = z.email();

/**
 * Refuses a message no transport should take: a `to` that is not exactly one address (mail libraries read
 * `a@x.com, b@y.com` as two recipients) or a subject spanning lines (a header of its own). Callers pass
 * validated input; this keeps a slip from becoming a mail to the wrong person.
 *
 * @example
 * checkEmailMessage({ to: 'alice@example.com', subject: 'Verify your address', text });
 */
export function checkEmailMessage(message: EmailMessage): void {
  if (!singleAddress.safeParse(message.to).success) {
    throw new TypeError('email message: `to` must be one email address');
  }
  if (/[\r\n]/.test(message.subject)) throw new TypeError('email message: `subject` must be one line');
}
