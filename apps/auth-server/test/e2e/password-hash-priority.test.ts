import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { testEnvironment } from '../support/test-environment.js';
import { type AuthServerProcess, startAuthServerProcess } from './auth-server-process.js';

/** Thread id -> nice value (field 19 of /proc/<pid>/task/<tid>/stat) of every thread of `pid`. */
function threadNiceness(pid: number): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) {
    const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    nice.set(tid, Number(fields[16]));
  }
  return nice;
}

/** The built server's main.ts: the thread pool below the event loop unless PASSWORD_HASH_LOW_PRIORITY=false. */
describe.each(process.platform === 'linux' ? [true, false] : [])(
  'auth-server with PASSWORD_HASH_LOW_PRIORITY=%s (Linux)',
  (lowPriority) => {
    let database: TestDatabase;
    let server: AuthServerProcess;

    beforeAll(async () => {
      database = await createTestDatabase();
      server = await startAuthServerProcess(
        testEnvironment(database.url, {
          PASSWORD_HASH_LOW_PRIORITY: String(lowPriority),
          UV_THREADPOOL_SIZE: '4',
        }),
      );
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await database?.drop();
    });

    it(lowPriority ? 'runs the 4 pool threads at nice 19, the rest at 0' : 'leaves every thread at 0', () => {
      const pid = server.child.pid as number;
      const nice = threadNiceness(pid);
      expect(nice.get(pid)).toBe(0);
      const lowered = [...nice.values()].filter((value) => value === 19);
      expect(lowered).toHaveLength(lowPriority ? 4 : 0);
      expect([...nice.values()].filter((value) => value !== 0 && value !== 19)).toEqual([]);
      expect(server.output().includes('"msg":"thread pool runs at low priority"')).toBe(lowPriority);
      expect(server.output()).not.toContain('thread pool priority unchanged');
    });
  },
);
