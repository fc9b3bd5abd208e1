import Router from '@koa/router';
import { listPublishedSigningKeys, type PrismaClient } from '@portcullis/db';
import type { GuardState, KoaGuard } from '@portcullis/guard/koa';
import { readJsonBody, validate } from '@portcullis/service-kit';
import { z } from 'zod';
import type { RecordAuditEvent } from '../audit/audit-recorder.js';
import { type KeyRingOptions, rotateSigningKey } from '../keys/signing-key-ring.js';
import { adminRequirement } from './admin-permissions.js';
import { auditActor } from './audit-actor.js';

export interface KeyRoutesDependencies {
  guard: KoaGuard;
  prisma: PrismaClient;
  audit: RecordAuditEvent;
  keyRingOptions: KeyRingOptions;
  defaultActivationDelaySeconds: number;
  maxBodyBytes: number;
}

const rotateBody = z.strictObject({
  /** Seconds until the new key signs; default KEY_ACTIVATION_DELAY_SECONDS so caches fetch it first. */
  activateInSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .optional(),
});

/** `GET /keys`, `POST /keys/rotate`: the signing-key schedule, the same operation as `npm run keys:rotate`. */
export function createKeyRoutes(dependencies: KeyRoutesDependencies): Router<GuardState> {
  const { guard, prisma, audit } = dependencies;
  const router = new Router<GuardState>({ prefix: '/keys' });

  router.get('/', guard.require(adminRequirement('keys', 'read')), async (ctx) => {
    const keys = await listPublishedSigningKeys(prisma, new Date());
    ctx.body = {
      keys: keys.map((key) => ({
        kid: key.kid,
        alg: key.alg,
        status: key.status,
        activatesAt: key.activatesAt.toISOString(),
        supersededAt: key.supersededAt?.toISOString() ?? null,
        retiresAt: key.retiresAt?.toISOString() ?? null,
      })),
    };
  });

  router.post('/rotate', guard.require(adminRequirement('keys', 'write')), async (ctx) => {
    const body = ctx.request.length
      ? validate(rotateBody, await readJsonBody(ctx, dependencies.maxBodyBytes))
      : {};
    const activationDelaySeconds = body.activateInSeconds ?? dependencies.defaultActivationDelaySeconds;
    const { kid, activatesAt } = await rotateSigningKey(prisma, {
      ...dependencies.keyRingOptions,
      activationDelaySeconds,
    });
    audit({
      type: 'admin.key.rotated',
      ...auditActor(ctx),
      details: { kid, activatesAt: activatesAt.toISOString() },
    });
    ctx.status = 201;
    ctx.body = { kid, activatesAt: activatesAt.toISOString() };
  });

  return router;
}
