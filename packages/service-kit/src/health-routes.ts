import type { Context, Next } from 'koa';

/** A named readiness check: resolves true when the dependency is usable. */
export type ReadinessCheck = () => Promise<boolean> | boolean;

/**
 * `/healthz`: the process answers (liveness). `/readyz`: every dependency check passes (readiness); 503 with
 * the failing check named otherwise.
 *
 * @example
 * app.use(createHealthRoutes({ postgres: () => pingDatabase(prisma) }));
 */
export function createHealthRoutes(checks: Record<string, ReadinessCheck>) {
  return async function healthRoutes(ctx: Context, next: Next): Promise<void> {
    if (ctx.method !== 'GET' || (ctx.path !== '/healthz' && ctx.path !== '/readyz')) return next();
    ctx.set('Cache-Control', 'no-store');
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok' };
      return;
    }
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check)] as const),
    );
    const ready = results.every(([, ok]) => ok);
    ctx.status = ready ? 200 : 503;
    ctx.body = {
      status: ready ? 'ready' : 'unavailable',
      checks: Object.fromEntries(results.map(([name, ok]) => [name, ok ? 'ok' : 'unavailable'])),
    };
  };
}

async function runCheck(check: ReadinessCheck): Promise<boolean> {
  try {
    return await check();
  } catch {
    return false;
  }
}
