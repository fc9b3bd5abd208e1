import { describe, expect, it } from '@jest/globals';
import { createRedisCircuitBreaker } from '../../src/redis-circuit-breaker.js';

describe('createRedisCircuitBreaker', () => {
  it('allows every call until a failure, then none until the cool-off is over', () => {
    let clock = 1_000;
    const breaker = createRedisCircuitBreaker(5_000, () => clock);
    expect([breaker.allows(), breaker.allows()]).toEqual([true, true]);
    breaker.failed();
    expect(breaker.allows()).toBe(false);
    clock += 4_999;
    expect(breaker.allows()).toBe(false);
  });

  it('lets one probe through after the cool-off, holds the rest, and closes when it succeeds', () => {
    let clock = 0;
    const breaker = createRedisCircuitBreaker(5_000, () => clock);
    breaker.failed();
    clock = 5_000;
    expect(breaker.allows()).toBe(true);
    expect(breaker.allows()).toBe(false); // the probe is still out
    breaker.succeeded();
    expect([breaker.allows(), breaker.allows()]).toEqual([true, true]);
  });

  it('opens for a whole new cool-off when the probe fails', () => {
    let clock = 0;
    const breaker = createRedisCircuitBreaker(5_000, () => clock);
    breaker.failed();
    clock = 6_000;
    expect(breaker.allows()).toBe(true);
    breaker.failed();
    clock = 10_999;
    expect(breaker.allows()).toBe(false);
    clock = 11_000;
    expect(breaker.allows()).toBe(true);
  });

  it('with a cool-off of 0, probes again on the next call', () => {
    const breaker = createRedisCircuitBreaker(0, () => 0);
    breaker.failed();
    expect(breaker.allows()).toBe(true);
  });
});
