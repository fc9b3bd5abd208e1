import { z } from 'zod';

export const rotateKeyBody = z.strictObject({
  /** Seconds until the new key signs; default KEY_ACTIVATION_DELAY_SECONDS so caches fetch it first. */
  activateInSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .optional(),
});

/** Our kids are RFC 7638 thumbprints (43 base64url characters); anything else cannot name one of our keys. */
export const kid = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be a key id (base64url)');
export const keyParams = z.object({ kid });

const timestamp = z.iso.datetime();

export const keyView = z.object({
  kid: z.string(),
  alg: z.string(),
  /** pending: published, not signing yet; active: signs; retired: no longer signs, published until retiresAt. */
  status: z.enum(['pending', 'active', 'retired']),
  activatesAt: timestamp,
  supersededAt: timestamp.nullable(),
  retiresAt: timestamp.nullable(),
});
export type KeyView = z.infer<typeof keyView>;

export const keyListView = z.object({ keys: z.array(keyView) });

export const rotatedKeyView = z.object({ kid: z.string(), activatesAt: timestamp });
