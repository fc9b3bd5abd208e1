/**
 * Thrown at once, without hashing, by a concurrency-limited PasswordHasher (limitHashConcurrency) when as
 * many argon2 operations as allowed are running and the queue is full. A login flood then costs a quick
 * refusal instead of memory and event-loop time; the password grant answers 503 `temporarily_unavailable`
 * and the admin API a 503 problem, both with `Retry-After: 1`.
 */
export class PasswordHashingBusyError extends Error {
  readonly retryAfterSeconds = 1;

  constructor() {
    super('password hashing is saturated');
    this.name = 'PasswordHashingBusyError';
  }
}
