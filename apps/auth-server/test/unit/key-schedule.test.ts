import { describe, expect, it } from '@jest/globals';
import { CLOCK_SKEW_SECONDS, planKeySchedule, type ScheduledKey } from '../../src/keys/key-schedule.js';

const t = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes));
const key = (
  kid: string,
  activatesAt: Date,
  status: ScheduledKey['status'] = 'pending',
  retiresAt: Date | null = null,
): ScheduledKey => ({
  kid,
  status,
  activatesAt,
  supersededAt: null,
  retiresAt,
});

describe('planKeySchedule', () => {
  it('signs with the only activated key', () => {
    expect(planKeySchedule([key('a', t(0), 'active')], t(1), 600)).toEqual({
      signingKid: 'a',
      publishedKids: ['a'],
      transitions: [],
    });
  });

  it('publishes a pending key without signing with it', () => {
    const plan = planKeySchedule([key('a', t(0), 'active'), key('b', t(10))], t(5), 600);
    expect(plan.signingKid).toBe('a');
    expect(plan.publishedKids).toEqual(['a', 'b']);
    expect(plan.transitions).toEqual([]);
  });

  it('hands signing over at activation and retires the old key after the longest token lifetime', () => {
    const plan = planKeySchedule([key('a', t(0), 'active'), key('b', t(10))], t(11), 600);
    expect(plan.signingKid).toBe('b');
    expect(plan.publishedKids).toEqual(['a', 'b']);
    expect(plan.transitions).toEqual([
      { kid: 'b', status: 'active' },
      {
        kid: 'a',
        status: 'retired',
        supersededAt: t(10),
        retiresAt: new Date(t(10).getTime() + (600 + CLOCK_SKEW_SECONDS) * 1000),
      },
    ]);
  });

  it('unpublishes a retired key once its retiresAt has passed', () => {
    const plan = planKeySchedule([key('a', t(0), 'retired', t(21)), key('b', t(10), 'active')], t(22), 600);
    expect(plan).toEqual({ signingKid: 'b', publishedKids: ['b'], transitions: [] });
  });

  it('has no signer when nothing is activated yet', () => {
    expect(planKeySchedule([key('a', t(10))], t(0), 600).signingKid).toBeUndefined();
  });
});
