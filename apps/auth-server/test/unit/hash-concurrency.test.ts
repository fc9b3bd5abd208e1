import { describe, expect, it } from '@jest/globals';
import { limitHashConcurrency } from '../../src/credentials/limit-hash-concurrency.js';
import type { PasswordHasher } from '../../src/credentials/password-hasher.js';
import { PasswordHashingBusyError } from '../../src/credentials/password-hashing-busy-error.js';

/** A hasher whose every operation waits until the test finishes it: no timing, only order. */
function controlledHasher() {
  const pending: { label: string; finish: () => void; fail: (error: Error) => void }[] = [];
  const operation = <T>(label: string, value: T) =>
    new Promise<T>((resolve, reject) => {
      pending.push({ label, finish: () => resolve(value), fail: reject });
    });
  const hasher: PasswordHasher = {
    hash: (password) => operation(`hash ${password}`, `$hash$${password}`),
    verify: (_storedHash, password) => operation(`verify ${password}`, true),
    verifyAgainstDecoy: (password) => operation(`decoy ${password}`, false as const),
    needsRehash: () => false,
  };
  /** Lets queued continuations run (each hand-over is a few promise jobs). */
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return { hasher, pending, settle };
}

describe('limitHashConcurrency', () => {
  it('runs at most `concurrency` operations, then the queued ones in arrival order', async () => {
    const { hasher, pending, settle } = controlledHasher();
    const limited = limitHashConcurrency(hasher, { concurrency: 2, queueLimit: 10 });
    const results = [
      limited.hash('a'),
      limited.verify('stored', 'b'),
      limited.verifyAgainstDecoy('c'),
      limited.hash('d'),
      limited.verify('stored', 'e'),
    ];
    await settle();
    expect(pending.map((operation) => operation.label)).toEqual(['hash a', 'verify b']);
    expect(limited.stats()).toEqual({ running: 2, waiting: 3, started: 2, refused: 0 });

    pending[1]?.finish();
    await settle();
    expect(pending.map((operation) => operation.label)).toEqual(['hash a', 'verify b', 'decoy c']);

    for (let index = 0; index < 5; index += 1) {
      pending[index]?.finish();
      await settle();
    }
    await expect(Promise.all(results)).resolves.toEqual(['$hash$a', true, false, '$hash$d', true]);
    expect(pending.map((operation) => operation.label)).toEqual([
      'hash a',
      'verify b',
      'decoy c',
      'hash d',
      'verify e',
    ]);
    expect(limited.stats()).toEqual({ running: 0, waiting: 0, started: 5, refused: 0 });
  });

  it('refuses at once, without hashing, when the slots and the queue are full', async () => {
    const { hasher, pending, settle } = controlledHasher();
    const limited = limitHashConcurrency(hasher, { concurrency: 1, queueLimit: 1 });
    const running = limited.verify('stored', 'a');
    const queued = limited.verify('stored', 'b');
    await expect(limited.verify('stored', 'c')).rejects.toBeInstanceOf(PasswordHashingBusyError);
    await expect(limited.hash('d')).rejects.toMatchObject({ retryAfterSeconds: 1 });
    await settle();
    expect(pending.map((operation) => operation.label)).toEqual(['verify a']);
    expect(limited.stats()).toMatchObject({ running: 1, waiting: 1, refused: 2 });

    pending[0]?.finish();
    await settle();
    pending[1]?.finish();
    await expect(Promise.all([running, queued])).resolves.toEqual([true, true]);
  });

  it('with a queue of 0 refuses whatever finds no free slot', async () => {
    const { hasher, pending, settle } = controlledHasher();
    const limited = limitHashConcurrency(hasher, { concurrency: 1, queueLimit: 0 });
    const running = limited.hash('a');
    await expect(limited.hash('b')).rejects.toBeInstanceOf(PasswordHashingBusyError);
    await settle();
    pending[0]?.finish();
    await running;
    await expect(Promise.race([limited.hash('c'), settle().then(() => 'started')])).resolves.toBe('started');
    expect(limited.stats()).toMatchObject({ running: 1, refused: 1 });
  });

  it('releases the slot when an operation rejects or throws', async () => {
    const { pending, settle, hasher } = controlledHasher();
    const throwing: PasswordHasher = {
      ...hasher,
      hash: () => {
        throw new Error('synchronous failure');
      },
    };
    const limited = limitHashConcurrency(throwing, { concurrency: 1, queueLimit: 0 });
    await expect(limited.hash('a')).rejects.toThrow('synchronous failure');
    expect(limited.stats().running).toBe(0);

    const failing = limited.verify('stored', 'b');
    await settle();
    pending[0]?.fail(new Error('argon2 failure'));
    await expect(failing).rejects.toThrow('argon2 failure');
    expect(limited.stats()).toMatchObject({ running: 0, waiting: 0, refused: 0 });

    const next = limited.verify('stored', 'c');
    await settle();
    pending[1]?.finish();
    await expect(next).resolves.toBe(true);
  });

  it('reports refusals at most once per interval, with the count since the last report', async () => {
    const { hasher } = controlledHasher();
    let clock = 0;
    const reports: number[] = [];
    const limited = limitHashConcurrency(hasher, {
      concurrency: 1,
      queueLimit: 0,
      reportIntervalMs: 10_000,
      now: () => clock,
      onRefusals: (refused) => reports.push(refused),
    });
    void limited.hash('holds the slot');
    const refuse = async (times: number) => {
      for (let index = 0; index < times; index += 1) {
        await expect(limited.hash('x')).rejects.toBeInstanceOf(PasswordHashingBusyError);
      }
    };
    await refuse(50);
    expect(reports).toEqual([1]);
    clock += 9_999;
    await refuse(10);
    expect(reports).toEqual([1]);
    clock += 1;
    await refuse(1);
    expect(reports).toEqual([1, 60]);
    expect(limited.stats().refused).toBe(61);
  });

  it('does not limit needsRehash, which only parses the stored hash', async () => {
    const { hasher } = controlledHasher();
    const limited = limitHashConcurrency(hasher, { concurrency: 1, queueLimit: 0 });
    void limited.hash('holds the slot');
    expect(limited.needsRehash('$argon2id$v=19$m=8192,t=1,p=1$salt$hash')).toBe(false);
  });

  it.each([
    [{ concurrency: 0, queueLimit: 1 }, /concurrency/],
    [{ concurrency: 65, queueLimit: 1 }, /concurrency/],
    [{ concurrency: 1.5, queueLimit: 1 }, /concurrency/],
    [{ concurrency: 1, queueLimit: -1 }, /queueLimit/],
    [{ concurrency: 1, queueLimit: 10_001 }, /queueLimit/],
    [{ concurrency: 1, queueLimit: 1, reportIntervalMs: 0 }, /reportIntervalMs/],
  ])('refuses options %j with a TypeError', (options, message) => {
    const { hasher } = controlledHasher();
    expect(() => limitHashConcurrency(hasher, options)).toThrow(TypeError);
    expect(() => limitHashConcurrency(hasher, options)).toThrow(message);
  });
});
