import { describe, expect, it } from '@jest/globals';
import { lowerThreadPoolPriority } from '../../src/runtime/lower-thread-pool-priority.js';

describe('lowerThreadPoolPriority', () => {
  it.each(['darwin', 'win32', 'freebsd'] as const)('is a no-op with one reason on %s', async (platform) => {
    const reasons: string[] = [];
    const result = await lowerThreadPoolPriority({
      poolSize: 4,
      platform,
      onUnavailable: (reason) => reasons.push(reason),
    });
    expect(result).toEqual({ threadIds: [] });
    expect(reasons).toEqual([`per-thread priorities are only supported on Linux, not ${platform}`]);
  });

  it.each([
    [{ poolSize: 0 }, 'poolSize'],
    [{ poolSize: 1.5 }, 'poolSize'],
    [{ poolSize: 4, niceOffset: 0 }, 'niceOffset'],
    [{ poolSize: 4, niceOffset: 20 }, 'niceOffset'],
  ])('refuses %j at once', async (options, name) => {
    await expect(
      lowerThreadPoolPriority({ ...options, platform: 'darwin', onUnavailable: () => {} }),
    ).rejects.toThrow(new RegExp(`^${name} must`));
  });
});
