import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createBatchedLogDestination } from '../../src/batched-log-destination.js';
import { createLogger } from '../../src/create-logger.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('createBatchedLogDestination', () => {
  let dir: string;
  let file: string;
  let fd: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'batched-log-'));
    file = join(dir, 'log');
    fd = openSync(file, 'a');
  });
  afterEach(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
  const written = () => readFileSync(file, 'utf8');

  it('writes the lines of one turn together, in order, at the end of that turn', async () => {
    const destination = createBatchedLogDestination(fd);
    destination.write('one\n');
    destination.write('two\n');
    expect(written()).toBe('');
    await nextTurn();
    expect(written()).toBe('one\ntwo\n');
    destination.write('three\n');
    await nextTurn();
    expect(written()).toBe('one\ntwo\nthree\n');
  });

  it('writes what is pending at once on flushSync', () => {
    const destination = createBatchedLogDestination(fd);
    destination.write('before exit\n');
    destination.flushSync();
    expect(written()).toBe('before exit\n');
  });

  it('keeps multi-byte text whole', async () => {
    const destination = createBatchedLogDestination(fd);
    destination.write('caf\u00e9 \u20ac \u{1F600}\n');
    await nextTurn();
    expect(written()).toBe('caf\u00e9 \u20ac \u{1F600}\n');
  });

  it('serves pino through createLogger: JSON lines, redaction kept', async () => {
    const logger = createLogger('test-service', 'info', createBatchedLogDestination(fd));
    logger.info({ path: '/me', authorization: 'Bearer secret' }, 'request completed');
    logger.debug('not at info');
    await nextTurn();
    const lines = written()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        service: 'test-service',
        path: '/me',
        authorization: '[redacted]',
        msg: 'request completed',
      }),
    ]);
  });

  it('stops writing, without throwing, once the fd is gone for good', async () => {
    const destination = createBatchedLogDestination(987_654);
    destination.write('lost\n');
    await nextTurn();
    expect(() => destination.flushSync()).not.toThrow();
  });
});
