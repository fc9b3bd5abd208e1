import { describe, expect, it } from '@jest/globals';
import { createMetrics } from '../../src/metrics/create-metrics.js';

/** The value of the first sample of `name` whose labels include `labels`; undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** Prometheus text format 0.0.4: HELP and TYPE comments, and `name{labels} value` samples. */
const HELP = /^# HELP [a-zA-Z_:][\w:]* .+$/;
const TYPE = /^# TYPE [a-zA-Z_:][\w:]* (counter|gauge|histogram|summary|untyped)$/;
const SAMPLE =
  /^[a-zA-Z_:][\w:]*(\{(\w+="(?:[^"\\\n]|\\.)*",?)*\})? (-?\d+(\.\d+)?(e[+-]?\d+)?|[+-]Inf|NaN)$/i;

describe('createMetrics', () => {
  it('writes the Prometheus text format, with process metrics and the service label', async () => {
    const metrics = createMetrics({ service: 'format-check' });
    metrics
      .counter({ name: 'things_total', help: 'Things.', labelNames: ['kind'] })
      .inc({ kind: 'a "quoted"\\one' });
    const text = await metrics.scrape();
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const lines = text.split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) {
      expect([HELP, TYPE, SAMPLE].some((pattern) => pattern.test(line)) ? line : `unparsable: ${line}`).toBe(
        line,
      );
    }
    expect(sample(text, 'process_cpu_user_seconds_total', { service: 'format-check' })).toBeGreaterThan(0);
    expect(sample(text, 'portcullis_things_total', { service: 'format-check' })).toBe(1);
  });

  it('keeps each instance in its own registry', async () => {
    const first = createMetrics({ service: 'first', processMetrics: false });
    const second = createMetrics({ service: 'second', processMetrics: false });
    const a = first.counter({ name: 'events_total', help: 'Events.', labelNames: ['kind'] });
    const b = second.counter({ name: 'events_total', help: 'Events.', labelNames: ['kind'] });
    a.inc({ kind: 'x' });
    a.inc({ kind: 'x' }, 2);
    b.inc({ kind: 'x' });
    expect(sample(await first.scrape(), 'portcullis_events_total', { kind: 'x' })).toBe(3);
    expect(sample(await second.scrape(), 'portcullis_events_total', { kind: 'x' })).toBe(1);
    expect(await second.scrape()).not.toContain('service="first"');
  });

  it('sets gauges directly and at scrape time, dropping series collect no longer sets', async () => {
    const metrics = createMetrics({ service: 'gauges', processMetrics: false });
    metrics.gauge({ name: 'direct', help: 'Set directly.' }).set({}, 7);
    let shards = ['a', 'b'];
    metrics.gauge({
      name: 'collected',
      help: 'Set at scrape time.',
      labelNames: ['shard'],
      collect: (set) => {
        for (const shard of shards) set({ shard }, 1);
      },
    });
    metrics.gauge({
      name: 'broken',
      help: 'Its collect throws.',
      collect: () => {
        throw new Error('nope');
      },
    });
    let text = await metrics.scrape();
    expect(sample(text, 'portcullis_direct')).toBe(7);
    expect(sample(text, 'portcullis_collected', { shard: 'b' })).toBe(1);
    expect(sample(text, 'portcullis_broken')).toBe(0); // a gauge without labels always has its one series
    shards = ['a'];
    text = await metrics.scrape();
    expect(sample(text, 'portcullis_collected', { shard: 'a' })).toBe(1);
    expect(sample(text, 'portcullis_collected', { shard: 'b' })).toBeUndefined();
  });

  it('reports dependency_up per readiness check, bounding a hung one', async () => {
    const metrics = createMetrics({ service: 'deps', processMetrics: false });
    const checks: Record<string, () => boolean | Promise<boolean>> = {
      postgres: () => true,
      redis: () => new Promise<boolean>(() => {}), // never answers
      jwks: () => {
        throw new Error('no keys');
      },
    };
    metrics.trackDependencies(checks, { timeoutMs: 50 });
    checks.revocations = async () => false; // added after: read at every scrape
    const started = Date.now();
    const text = await metrics.scrape();
    expect(Date.now() - started).toBeLessThan(5000); // did not hang on redis
    expect(sample(text, 'portcullis_dependency_up', { dependency: 'postgres' })).toBe(1);
    expect(sample(text, 'portcullis_dependency_up', { dependency: 'redis' })).toBe(0);
    expect(sample(text, 'portcullis_dependency_up', { dependency: 'jwks' })).toBe(0);
    expect(sample(text, 'portcullis_dependency_up', { dependency: 'revocations' })).toBe(0);
  });

  it('refuses bad options and metric specs with a TypeError', () => {
    expect(() => createMetrics({ service: '' })).toThrow(TypeError);
    const metrics = createMetrics({ service: 'specs', processMetrics: false });
    expect(() => metrics.counter({ name: 'no_suffix', help: 'x' })).toThrow(/_total/);
    expect(() => metrics.counter({ name: 'portcullis_twice_total', help: 'x' })).toThrow(TypeError);
    expect(() => metrics.counter({ name: 'Bad-Name_total', help: 'x' })).toThrow(TypeError);
    expect(() => metrics.counter({ name: 'ok_total', help: '' })).toThrow(TypeError);
    expect(() => metrics.gauge({ name: 'labelled', help: 'x', labelNames: ['service'] })).toThrow(TypeError);
    expect(() => metrics.trackDependencies({}, { timeoutMs: 0 })).toThrow(TypeError);
  });
});
