// @ts-check
import { freePort } from '../../dev/free-port.mjs';
import { authServerEnv } from './app-env.mjs';
import { authServerArgon2, runArgon2Ceiling } from './argon2-ceiling.mjs';
import { startLoadWorker } from './load-client.mjs';
import { measureHttp } from './measure-http.mjs';
import { loadFigures, measureSubject } from './measure-subject.mjs';
import { clientAuthorization, passwordRefreshTokens } from './oauth-client.mjs';
import { SERVER_CPU } from './pinning.mjs';
import { clientCredentialsLoad } from './scenario-issue.mjs';
import { startApp } from './start-app.mjs';
import { latencySummary, median } from './stats.mjs';
import { ratio, withServer } from './with-server.mjs';

/**
 * Scenario 3: password grants vs the argon2 ceiling, and what a password flood does to the rest of the
 * auth server: /jwks and refresh-grant latency (sequential probes during the flood), and
 * client_credentials throughput during the flood vs alone, all on one auth server process.
 * @param {import('./scenario.mjs').ScenarioBench} bench @returns {Promise<import('./scenario.mjs').ScenarioResult>}
 */
export async function runPasswordScenario(bench) {
  const { profile, settings, log } = bench;
  const port = await freePort();
  const env = authServerEnv(settings, port);
  const argon2 = authServerArgon2(env);
  log(
    `  argon2 ceiling (m=${argon2.memoryCost} KiB, t=${argon2.timeCost}, p=${argon2.parallelism}, ${argon2.concurrency} at once)`,
  );
  /** @type {number[]} */
  const ceilings = [];
  for (let rep = 0; rep < profile.reps; rep += 1)
    ceilings.push(await runArgon2Ceiling(bench, argon2, profile));
  const ceiling = median(ceilings) ?? 0;

  const web = bench.credentials.client('demo-web');
  const authorization = clientAuthorization(web);
  const formHeaders = { authorization, 'content-type': 'application/x-www-form-urlencoded' };
  const logins = bench.credentials.users.map(({ username, password }) => ({
    body: new URLSearchParams({ grant_type: 'password', username, password, scope: 'items:read' }).toString(),
  }));
  const flood = {
    method: /** @type {const} */ ('POST'),
    path: '/token',
    connections: profile.passwordConnections,
    headers: formHeaders,
    body: logins[0]?.body,
    requests: logins,
  };
  const floodWorker = startLoadWorker(bench);
  const ccWorker = startLoadWorker(bench);
  try {
    return await withServer(
      startApp({ app: 'auth-server', env, port, cpu: SERVER_CPU, bench }),
      async (server) => {
        const [probeToken = ''] = await passwordRefreshTokens(
          server.url,
          web,
          bench.credentials.users,
          'items:read',
          1,
        );
        const floodSpec = (/** @type {number} */ seconds) => ({
          load: { ...flood, url: `${server.url}/token`, duration: seconds },
        });
        /** @type {{ jwks: number[], refresh: number[], failures: { jwks: number, refresh: number } }} */
        const probes = { jwks: [], refresh: [], failures: { jwks: 0, refresh: 0 } };
        let chainToken = probeToken;
        log(
          `  password grant flood (${profile.passwordConnections} connections) with /jwks and refresh probes`,
        );
        const passwords = await measureSubject({
          label: 'password grants',
          pid: server.pid,
          reps: profile.reps,
          warmup: () => floodWorker.run(floodSpec(profile.warmupSeconds), profile.warmupSeconds),
          rep: async () => {
            const interval = profile.probeIntervalMs;
            const result = await floodWorker.run(
              {
                ...floodSpec(profile.seconds),
                probes: [
                  { name: 'jwks', kind: 'get', url: server.url, path: '/jwks', intervalMs: interval },
                  {
                    name: 'refresh',
                    kind: 'refresh',
                    url: server.url,
                    authorization,
                    token: chainToken,
                    intervalMs: interval * 2,
                  },
                ],
              },
              profile.seconds,
            );
            for (const probe of result.probes) {
              const name = /** @type {'jwks' | 'refresh'} */ (probe.name);
              probes[name].push(...probe.samples);
              probes.failures[name] += probe.failures;
              if (probe.name === 'refresh' && probe.token) chainToken = probe.token;
            }
            return loadFigures(result.load);
          },
          log,
        });

        const cc = clientCredentialsLoad(bench);
        const ccAlone = await measureHttp({
          bench,
          worker: ccWorker,
          server,
          label: 'client_credentials alone',
          load: cc,
        });
        log('  client_credentials during the password flood');
        const ccSpec = (/** @type {number} */ seconds) => ({
          load: { ...cc, url: `${server.url}/token`, duration: seconds },
        });
        /** @type {any[]} */
        const floodsDuringCc = [];
        const both = async (/** @type {number} */ seconds) => {
          const [floodResult, ccResult] = await Promise.all([
            floodWorker.run(floodSpec(seconds), seconds),
            ccWorker.run(ccSpec(seconds), seconds),
          ]);
          floodsDuringCc.push(loadFigures(floodResult.load));
          return loadFigures(ccResult.load);
        };
        const ccFlood = await measureSubject({
          label: 'client_credentials during the flood',
          pid: server.pid,
          reps: profile.reps,
          warmup: () => both(profile.warmupSeconds),
          rep: () => both(profile.seconds),
          log,
        });
        const jwks = latencySummary(probes.jwks);
        const refresh = latencySummary(probes.refresh);
        const unit = 'verifies/s';
        return {
          rows: [
            {
              subject: `argon2 ceiling (${argon2.concurrency} at once, no HTTP)`,
              measurement: {
                rps: ceiling,
                rpsMin: Math.min(...ceilings),
                rpsMax: Math.max(...ceilings),
                non2xx: 0,
                errors: 0,
                runs: ceilings.map((rps) => ({ rps, non2xx: 0, errors: 0 })),
              },
              unit,
            },
            {
              subject: 'ours, password grant',
              measurement: passwords,
              ratios: [{ value: ratio(passwords.rps, ceiling), of: 'argon2 ceiling' }],
              process: 'auth-server',
            },
            { subject: 'GET /jwks during the flood', latency: { ...jwks, failures: probes.failures.jwks } },
            {
              subject: 'refresh grant during the flood',
              latency: { ...refresh, failures: probes.failures.refresh },
            },
            { subject: 'ours, client_credentials alone', measurement: ccAlone, process: 'auth-server' },
            {
              subject: 'ours, client_credentials during the flood',
              measurement: ccFlood,
              ratios: [{ value: ratio(ccFlood.rps, ccAlone.rps), of: 'cc alone' }],
              process: 'auth-server',
            },
          ],
          figures: {
            passwordVsCeiling: ratio(passwords.rps, ceiling),
            ccFloodVsAlone: ratio(ccFlood.rps, ccAlone.rps),
            jwksP99: jwks.p99,
            refreshP99: refresh.p99,
          },
          notes: [
            `password flood: ${profile.passwordConnections} connections, users ${bench.credentials.users.map((user) => user.username).join(', ')} in turn; probes one at a time, /jwks every ${profile.probeIntervalMs} ms and a refresh every ${profile.probeIntervalMs * 2} ms`,
          ],
          raw: { ceilings, argon2, floodsDuringCc, probes },
        };
      },
    );
  } finally {
    await Promise.all([floodWorker.stop(), ccWorker.stop()]);
  }
}
