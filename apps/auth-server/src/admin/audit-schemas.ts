import { z } from 'zod';

/** An ISO 8601 instant with a zone (`2025-01-31T12:00:00Z`, `...+02:00`) or a date, meaning its UTC midnight. */
const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((value) => new Date(value))
  .refine((date) => !Number.isNaN(date.getTime()), 'is not a valid date');

const eventType = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be 1-100 letters, digits or . _ : -');

/** `type=a&type=b,c` means any of a, b, c. */
const eventTypes = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    [value]
      .flat()
      .flatMap((item) => item.split(','))
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  )
  .pipe(z.array(eventType).min(1, 'give at least one type').max(20, 'give at most 20 types'));

const identifier = z.string().min(1).max(200);

export const auditQuery = z
  .strictObject({
    actor: identifier.optional(),
    subject: identifier.optional(),
    clientId: identifier.optional(),
    type: eventTypes.optional(),
    /** Inclusive. */
    since: instant.optional(),
    /** Exclusive. */
    until: instant.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    after: z.string().min(1).max(200).optional(),
  })
  .refine((query) => !query.since || !query.until || query.since < query.until, {
    path: ['until'],
    message: 'must be later than since',
  });

export const auditEventView = z.object({
  id: z.uuid(),
  type: z.string(),
  occurredAt: z.iso.datetime(),
  /** Who acted: a user id, client id or `system`. */
  actor: z.string().nullable(),
  /** Whom or what it concerns. */
  subject: z.string().nullable(),
  clientId: z.string().nullable(),
  ip: z.string().nullable(),
  /** Non-secret context as recorded; never a token, secret or password. */
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEventView = z.infer<typeof auditEventView>;

export const auditPageView = z.object({
  events: z.array(auditEventView),
  /** Pass as `after` (with the same filters) for the next, older page; null on the last page. */
  nextCursor: z.string().nullable(),
});
