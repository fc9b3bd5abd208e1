/**
 * A message the SMTP server did not take. Built from nodemailer's error with every credential scrubbed and no
 * `cause` kept (nodemailer errors carry the SMTP dialogue, which loggers serialise whole), so it is safe to
 * log as it is.
 */
export class EmailDeliveryError extends Error {
  /** nodemailer's code: EAUTH, ETIMEDOUT, ETLS, ECONNECTION, EENVELOPE, EABORT...; ECLOSED after close(). */
  readonly code: string;
  /** The SMTP reply code, when the server answered with an error. */
  readonly responseCode: number | undefined;

  constructor(message: string, code: string, responseCode?: number) {
    super(message);
    this.name = 'EmailDeliveryError';
    this.code = code;
    this.responseCode = responseCode;
  }
}

const MAX_DETAIL_LENGTH = 300;

/**
 * The EmailDeliveryError for a nodemailer failure. `secrets` are the SMTP user and password: each is removed
 * from the message in every form the SMTP dialogue can carry it (plain, percent-encoded, base64 of AUTH
 * PLAIN and AUTH LOGIN).
 *
 * @example
 * throw toEmailDeliveryError(error, { user: 'mailer', pass: 'hunter2' });
 */
export function toEmailDeliveryError(
  error: unknown,
  credentials: { user: string; pass: string } | undefined,
): EmailDeliveryError {
  const source = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    responseCode?: unknown;
    message?: unknown;
  };
  const code = typeof source.code === 'string' ? source.code : 'EDELIVERY';
  const responseCode = typeof source.responseCode === 'number' ? source.responseCode : undefined;
  let detail = typeof source.message === 'string' ? source.message : 'unknown failure';
  for (const secret of credentialForms(credentials)) detail = detail.split(secret).join('[redacted]');
  detail = detail.replace(/[\r\n]+/g, ' ').slice(0, MAX_DETAIL_LENGTH);
  return new EmailDeliveryError(`SMTP delivery failed (${code}): ${detail}`, code, responseCode);
}

function credentialForms(credentials: { user: string; pass: string } | undefined): string[] {
  if (!credentials) return [];
  const { user, pass } = credentials;
  const base64 = (value: string) => Buffer.from(value, 'utf8').toString('base64');
  return [
    base64(`\0${user}\0${pass}`),
    base64(`${user}\0${user}\0${pass}`),
    base64(pass),
    encodeURIComponent(pass),
    pass,
  ].filter((form) => form.length > 0);
}
