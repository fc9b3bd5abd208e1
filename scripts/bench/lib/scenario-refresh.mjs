// @ts-check
import { freePort } from '../../dev/free-port.mjs';
import { authServerEnv } from './app-env.mjs';
import { startLoadWorker } from './load-client.mjs';
import { measureSubject } from './measure-subject.mjs';
import { clientAuthorization, passwordRefreshTokens } from './oauth-client.mjs';
import { SERVER_CPU } from './pinning.mjs';
import { startApp } from './start-app.mjs';
import { ratio, withServer } from './with-server.mjs';

/**
 * Scenario 4: refresh-grant throughput, one rotating chain per connection (each request uses the token
 * the previous answer returned). For context, the ratio to scenario 2's client_credentials rate.
 * @param {import('./scenario.mjs').ScenarioBench} bench @param {number | undefined} ccRps scenario 2's figure
 * @returns {Promise<import('./scenario.mjs').ScenarioResult>}
 */
export async function runRefreshScenario(bench, ccRps) {
  const { profile, settings, log } = bench;
  const web = bench.credentials.client('demo-web');
  const authorization = clientAuthorization(web);
  const port = await freePort();
  const worker = startLoadWorker(bench);
  try {
    return await withServer(
      startApp({ app: 'auth-server', env: authServerEnv(settings, port), port, cpu: SERVER_CPU, bench }),
      async (server) => {
        let tokens = await passwordRefreshTokens(
          server.url,
          web,
          bench.credentials.users,
          'items:read',
          profile.refreshChains,
        );
        /** @param {number} seconds */
        const run = async (seconds) => {
          const { chains } = await worker.run(
            { chains: { url: server.url, authorization, tokens, durationSeconds: seconds } },
            seconds,
          );
          // The chains' tokens carry over to the next run; the figures (and the JSON) never hold them.
          const { tokens: current, ...figures } = chains;
          tokens = current;
          if (tokens.length === 0) throw new Error(`every refresh chain broke: ${chains.firstFailure}`);
          return figures;
        };
        log(`  refresh grants (${profile.refreshChains} rotating chains)`);
        const refresh = await measureSubject({
          label: 'refresh grants',
          pid: server.pid,
          reps: profile.reps,
          warmup: () => run(profile.warmupSeconds),
          rep: () => run(profile.seconds),
          log,
        });
        return {
          rows: [
            {
              subject: `ours, refresh grant (${profile.refreshChains} chains)`,
              measurement: refresh,
              ratios: [{ value: ratio(refresh.rps, ccRps), of: 'cc (scenario 2)' }],
              process: 'auth-server',
            },
          ],
          figures: { refreshRps: refresh.rps, refreshVsCc: ratio(refresh.rps, ccRps) },
          notes:
            ccRps === undefined
              ? ['refresh: no client_credentials figure to compare with (run `issue` too)']
              : [],
        };
      },
    );
  } finally {
    await worker.stop();
  }
}
