import type { PasswordHasher } from './password-hasher.js';
import { PasswordHashingBusyError } from './password-hashing-busy-error.js';

export interface HashConcurrencyOptions {
  /**
   * argon2 operations running at once (1..64). Each holds a libuv pool thread (4 by default) and the
   * configured argon2 memory: 2 leaves pool threads for fs, dns and WebCrypto during a password flood and
   * bounds the flood's memory. Their CPU is whatever the event loop leaves, as the pool runs below it
   * (runtime/lower-thread-pool-priority.ts, issue 7).
   */
  concurrency: number;
  /** Operations that may wait, first in first out (0..10000); beyond that PasswordHashingBusyError at once. */
  queueLimit: number;
  /**
   * Told about refusals at most once per `reportIntervalMs` while they go on, with how many there were
   * since the last report: a flood makes one log line per interval, not one per request.
   */
  onRefusals?: (refusedSinceLastReport: number) => void;
  /** Default 10 000. */
  reportIntervalMs?: number;
  /** Clock (epoch ms) for the report interval; tests move time with it. */
  now?: () => number;
}

export interface HashConcurrencyStats {
  /** Operations holding a slot now. */
  running: number;
  /** Operations queued for a slot now. */
  waiting: number;
  /** Operations that got a slot since creation. */
  started: number;
  /** Operations refused with PasswordHashingBusyError since creation. */
  refused: number;
}

export interface LimitedPasswordHasher extends PasswordHasher {
  stats(): HashConcurrencyStats;
}

const MAX_CONCURRENCY = 64;
const MAX_QUEUE_LIMIT = 10_000;

/**
 * The hasher with a cap on concurrent argon2 work (issue 6): at most `concurrency` operations (hash,
 * verify, decoy verify) at once, at most `queueLimit` waiting in order, and PasswordHashingBusyError at
 * once beyond that — no unbounded queue of passwords in memory, no libuv pool starved for the token
 * signer. A slot passes straight from a finishing operation to the oldest waiter, so a newcomer never
 * overtakes the queue; it is released whether the operation resolves or rejects. `needsRehash` only parses
 * the stored hash and is not limited.
 *
 * @example
 * const hasher = limitHashConcurrency(await createPasswordHasher(config.argon2), {
 *   concurrency: config.passwordHashing.concurrency,
 *   queueLimit: config.passwordHashing.queueLimit,
 *   onRefusals: (refused) => logger.warn({ refused }, 'password hashing saturated'),
 * });
 */
export function limitHashConcurrency(
  hasher: PasswordHasher,
  options: HashConcurrencyOptions,
): LimitedPasswordHasher {
  const { concurrency, queueLimit, onRefusals } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new TypeError(`concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}`);
  }
  if (!Number.isInteger(queueLimit) || queueLimit < 0 || queueLimit > MAX_QUEUE_LIMIT) {
    throw new TypeError(`queueLimit must be a whole number from 0 to ${MAX_QUEUE_LIMIT}`);
  }
  const reportIntervalMs = options.reportIntervalMs ?? 10_000;
  if (!(reportIntervalMs > 0)) throw new TypeError('reportIntervalMs must be positive');
  const now = options.now ?? Date.now;

  let running = 0;
  let started = 0;
  let refused = 0;
  let unreported = 0;
  let lastReportAt = Number.NEGATIVE_INFINITY;
  const waiting: (() => void)[] = [];

  const refuse = (): never => {
    refused += 1;
    unreported += 1;
    const at = now();
    if (onRefusals && at - lastReportAt >= reportIntervalMs) {
      lastReportAt = at;
      const count = unreported;
      unreported = 0;
      onRefusals(count);
    }
    throw new PasswordHashingBusyError();
  };

  const release = () => {
    const next = waiting.shift();
    // Handing the slot over keeps `running` as it is: nobody can take it between release and wake-up.
    if (next) next();
    else running -= 1;
  };

  const limited = async <T>(operation: () => Promise<T>): Promise<T> => {
    if (running < concurrency) running += 1;
    else if (waiting.length < queueLimit) await new Promise<void>((resolve) => waiting.push(resolve));
    else refuse();
    started += 1;
    try {
      return await operation();
    } finally {
      release();
    }
  };

  return {
    hash: (password) => limited(() => hasher.hash(password)),
    verify: (storedHash, password) => limited(() => hasher.verify(storedHash, password)),
    verifyAgainstDecoy: (password) => limited(() => hasher.verifyAgainstDecoy(password)),
    needsRehash: (storedHash) => hasher.needsRehash(storedHash),
    stats: () => ({ running, waiting: waiting.length, started, refused }),
  };
}
