import {
  applySigningKeyTransitions,
  findSigningKey,
  listPublishedSigningKeys,
  type PrismaClient,
  retireSigningKey as retireStoredSigningKey,
  type SigningKeyRecord,
} from '@portcullis/db';
import { SigningKeyInUseError, SigningKeyRecentlySupersededError } from '../revocations/revocation-errors.js';
import { planKeySchedule } from './key-schedule.js';

export interface KeyRetirement {
  key: SigningKeyRecord;
  /** False when the key had already left JWKS: nothing changed. */
  retired: boolean;
}

/**
 * Takes a key that no longer signs out of JWKS now rather than at its scheduled retiresAt: the emergency
 * half of rotating out a leaked key. Every verifier refuses its tokens once its JWKS cache refreshes, and
 * each auth-server instance stops publishing it at its next key reload (KEY_RELOAD_INTERVAL_SECONDS).
 *
 * The schedule's pending transitions are persisted first (as every instance's key reload does), so that a
 * key superseded since the last reload is seen as superseded, not as still active.
 *
 * Each instance learns of a rotation at its next key reload, so for up to `keyReloadIntervalSeconds` after a
 * key was superseded some instance may still sign with it; retiring it inside that window would make their
 * fresh tokens fail. A superseded key is therefore retired only once the window has passed.
 *
 * @returns null for an unknown kid.
 * @throws {SigningKeyInUseError} for the key that signs now.
 * @throws {SigningKeyRecentlySupersededError} inside the reload window after it stopped signing here.
 */
export async function retireSigningKey(
  prisma: PrismaClient,
  kid: string,
  timing: { longestTokenLifetimeSeconds: number; keyReloadIntervalSeconds: number },
  now = new Date(),
): Promise<KeyRetirement | null> {
  const { longestTokenLifetimeSeconds, keyReloadIntervalSeconds } = timing;
  const schedule = planKeySchedule(
    await listPublishedSigningKeys(prisma, now),
    now,
    longestTokenLifetimeSeconds,
  );
  await applySigningKeyTransitions(prisma, schedule.transitions);
  const key = await findSigningKey(prisma, kid);
  if (!key) return null;
  if (key.retiresAt && key.retiresAt <= now) return { key, retired: false };
  if (schedule.signingKid === kid) throw new SigningKeyInUseError(kid);
  if (key.supersededAt) {
    const safeAt = key.supersededAt.getTime() + keyReloadIntervalSeconds * 1000;
    if (safeAt > now.getTime()) {
      throw new SigningKeyRecentlySupersededError(kid, Math.ceil((safeAt - now.getTime()) / 1000));
    }
  }
  const retired = await retireStoredSigningKey(prisma, kid, now);
  if (retired) return { key: retired, retired: true };
  // The conditional update refused: a concurrent request retired it, or it started signing meanwhile.
  const current = await findSigningKey(prisma, kid);
  if (current?.retiresAt && current.retiresAt <= now) return { key: current, retired: false };
  throw new SigningKeyInUseError(kid);
}
