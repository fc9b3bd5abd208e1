import Router from '@koa/router';
import { listPublishedSigningKeys, type PrismaClient, type SigningKeyRecord } from '@portcullis/db';
import type { GuardState, KoaGuard } from '@portcullis/guard/koa';
import { ProblemError, readJsonBody, validate } from '@portcullis/service-kit';
import type { WriteAuditEvent } from '../audit/audit-recorder.js';
import { retireSigningKey } from '../keys/retire-signing-key.js';
import { type KeyRingOptions, rotateSigningKey } from '../keys/signing-key-ring.js';
import { adminRequirement } from './admin-permissions.js';
import { auditActor } from './audit-actor.js';
import { type KeyView, keyParams, rotateKeyBody } from './key-schemas.js';
import { revocationErrorsAsProblems } from './revocation-problems.js';

export interface KeyRoutesDependencies {
  guard: KoaGuard;
  prisma: PrismaClient;
  audit: WriteAuditEvent;
  keyRingOptions: KeyRingOptions;
  /** Other instances pick the change up within KEY_RELOAD_INTERVAL_SECONDS; this one does at once. */
  reloadKeys: () => Promise<void>;
  defaultActivationDelaySeconds: number;
  /** How long other instances may keep signing with a superseded key (they reload keys this often). */
  keyReloadIntervalSeconds: number;
  maxBodyBytes: number;
}

/**
 * `GET /keys`, `POST /keys/rotate` (the same operation as `npm run keys:rotate`) and `POST /keys/:kid/retire`
 * (take a key that no longer signs out of JWKS now).
 */
export function createKeyRoutes(dependencies: KeyRoutesDependencies): Router<GuardState> {
  const { guard, prisma, audit } = dependencies;
  const router = new Router<GuardState>({ prefix: '/keys' });
  router.use(revocationErrorsAsProblems);
  const canWrite = guard.require(adminRequirement('keys', 'write'));

  router.get('/', guard.require(adminRequirement('keys', 'read')), async (ctx) => {
    const keys = await listPublishedSigningKeys(prisma, new Date());
    ctx.body = { keys: keys.map(present) };
  });

  router.post('/rotate', canWrite, async (ctx) => {
    // The body is optional, but a chunked one (no Content-Length) is still read and validated.
    const hasBody = ctx.is() !== null && ctx.request.length !== 0;
    const body = hasBody ? validate(rotateKeyBody, await readJsonBody(ctx, dependencies.maxBodyBytes)) : {};
    const activationDelaySeconds = body.activateInSeconds ?? dependencies.defaultActivationDelaySeconds;
    const { kid, activatesAt } = await rotateSigningKey(prisma, {
      ...dependencies.keyRingOptions,
      activationDelaySeconds,
    });
    await dependencies.reloadKeys();
    await audit({
      type: 'admin.key.rotated',
      ...auditActor(ctx),
      details: { kid, activatesAt: activatesAt.toISOString() },
    });
    ctx.status = 201;
    ctx.body = { kid, activatesAt: activatesAt.toISOString() };
  });

  router.post('/:kid/retire', canWrite, async (ctx) => {
    const { kid } = validate(keyParams, ctx.params);
    const retirement = await retireSigningKey(prisma, kid, {
      longestTokenLifetimeSeconds: dependencies.keyRingOptions.longestTokenLifetimeSeconds,
      keyReloadIntervalSeconds: dependencies.keyReloadIntervalSeconds,
    });
    if (!retirement) throw new ProblemError(404, 'Not Found', { detail: 'no signing key with this kid' });
    await dependencies.reloadKeys();
    // Retiring a key that has already left JWKS changes nothing, so it leaves no audit event either.
    if (retirement.retired) {
      await audit({
        type: 'admin.key.retired',
        ...auditActor(ctx),
        subject: kid,
        details: { kid, after: present(retirement.key) },
      });
    }
    ctx.body = present(retirement.key);
  });

  return router;
}

function present(key: SigningKeyRecord): KeyView {
  return {
    kid: key.kid,
    alg: key.alg,
    status: key.status,
    activatesAt: key.activatesAt.toISOString(),
    supersededAt: key.supersededAt?.toISOString() ?? null,
    retiresAt: key.retiresAt?.toISOString() ?? null,
  };
}
