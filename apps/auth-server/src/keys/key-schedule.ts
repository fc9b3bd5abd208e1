/**
 * Which key signs, and which keys JWKS publishes, derived from timestamps alone so that every auth-server
 * instance reaches the same answer without coordination (DESIGN "Grants and tokens"):
 *   - a key signs from its activatesAt; until then it is pending and only published, so caches learn it first;
 *   - the newest activated key signs; an older one is superseded at the newer one's activatesAt and stays
 *     published until every token it signed has expired (superseded + longest token lifetime + skew).
 */

export interface ScheduledKey {
  kid: string;
  status: 'pending' | 'active' | 'retired';
  activatesAt: Date;
  supersededAt: Date | null;
  retiresAt: Date | null;
}

export interface KeyTransition {
  kid: string;
  status: 'active' | 'retired';
  supersededAt?: Date;
  retiresAt?: Date;
}

export interface KeySchedule {
  signingKid: string | undefined;
  publishedKids: string[];
  transitions: KeyTransition[];
}

/** Clock skew allowed to verifiers (RFC 9068 consumers typically allow about a minute). */
export const CLOCK_SKEW_SECONDS = 60;

export function planKeySchedule(
  keys: ScheduledKey[],
  now: Date,
  longestTokenLifetimeSeconds: number,
): KeySchedule {
  const live = keys.filter((key) => !key.retiresAt || key.retiresAt > now);
  const activated = live
    .filter((key) => key.status !== 'retired' && key.activatesAt <= now)
    .sort((a, b) => b.activatesAt.getTime() - a.activatesAt.getTime());
  const [signer, ...superseded] = activated;

  const transitions: KeyTransition[] = [];
  if (signer && signer.status !== 'active') transitions.push({ kid: signer.kid, status: 'active' });
  for (const key of superseded) {
    const supersededAt = signer?.activatesAt ?? now;
    const retiresAt = new Date(
      supersededAt.getTime() + (longestTokenLifetimeSeconds + CLOCK_SKEW_SECONDS) * 1000,
    );
    transitions.push({ kid: key.kid, status: 'retired', supersededAt, retiresAt });
  }

  const retiredNow = new Set(transitions.filter((t) => t.retiresAt && t.retiresAt <= now).map((t) => t.kid));
  return {
    signingKid: signer?.kid,
    publishedKids: live.filter((key) => !retiredNow.has(key.kid)).map((key) => key.kid),
    transitions,
  };
}
