import { listPublishedSigningKeys, type PrismaClient } from '@portcullis/db';
import { planKeySchedule } from './key-schedule.js';

/**
 * The kid that signs at `now` by the key schedule, which every instance derives from the same rows: a
 * pending key whose activatesAt has passed already signs (or will at the next reload) even while its
 * stored status still says pending.
 */
export async function signingKidNow(
  prisma: PrismaClient,
  longestTokenLifetimeSeconds: number,
  now: Date,
): Promise<string | undefined> {
  const keys = await listPublishedSigningKeys(prisma, now);
  return planKeySchedule(keys, now, longestTokenLifetimeSeconds).signingKid;
}
