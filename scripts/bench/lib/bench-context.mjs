// @ts-check
import { freePort } from '../../dev/free-port.mjs';
import { authServerEnv, benchSecrets } from './app-env.mjs';
import { setUpBenchServices } from './bench-services.mjs';
import { seedDemoCredentials } from './demo-credentials.mjs';
import { detectPinning } from './pinning.mjs';

/** The audience of every token of a run (the resource servers' AUDIENCE). */
const RESOURCE = 'http://127.0.0.1/bench-items';

/**
 * @typedef {Awaited<ReturnType<typeof createBenchContext>>} BenchContext
 */

/**
 * Everything the scenarios share: services with this run's own database and key prefix, seeded demo
 * credentials, the settings every auth and resource server of the run gets, and whether pinning works.
 * @param {{ cleanups: ReturnType<typeof import('./cleanup-stack.mjs').createCleanupStack>, serversDir: string }} options
 */
export async function createBenchContext({ cleanups, serversDir }) {
  const pinning = detectPinning();
  const services = await setUpBenchServices(cleanups);
  /** @type {import('./app-env.mjs').AppSettings} */
  const settings = {
    databaseUrl: services.databaseUrl,
    redisUrl: services.redisUrl,
    keyPrefix: services.keyPrefix,
    // One issuer for every auth server of the run, as behind a load balancer; nothing needs to listen on
    // it, since resource servers and baselines get their JWKS_URI explicitly.
    issuer: `http://127.0.0.1:${await freePort()}`,
    resource: RESOURCE,
    secrets: benchSecrets(),
  };
  const credentials = await seedDemoCredentials(authServerEnv(settings, 0), services.workDir);
  return {
    pinning,
    cleanups,
    serversDir,
    workDir: services.workDir,
    notes: services.notes,
    settings,
    credentials,
  };
}
