import type Router from '@koa/router';
import type { GuardState } from '@portcullis/guard/koa';
import {
  createHealthRoutes,
  type Logger,
  problemResponses,
  type ReadinessCheck,
  securityHeaders,
} from '@portcullis/service-kit';
import Koa from 'koa';
import { methodProblems } from './method-problems.js';

export interface AppDependencies {
  logger: Logger;
  trustProxy: boolean;
  readiness: Record<string, ReadinessCheck>;
  routers: Router<GuardState>[];
}

/** The HTTP pipeline, outermost first: one list, visible in one place (STYLE.md §4). */
export function createApp({ logger, trustProxy, readiness, routers }: AppDependencies): Koa<GuardState> {
  const app = new Koa<GuardState>({ proxy: trustProxy });
  app.silent = true; // problemResponses logs what matters; Koa's default stderr dump would duplicate it.
  app.use(securityHeaders);
  app.use(problemResponses(logger));
  app.use(createHealthRoutes(readiness));
  app.use(methodProblems);
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
