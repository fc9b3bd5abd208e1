// @ts-check
// `npm run bench` (not a test): issue 7's benchmark. Every figure is a ratio to a baseline measured in the
// same run on this machine: the resource server's protected GET vs bare Koa (and Express/Fastify for
// context), client_credentials issuance vs bare Koa, a jose-only signer, bare oidc-provider and
// @node-oauth/oauth2-server, the password grant vs the argon2 ceiling (and the rest of the auth server during
// that flood), refresh-grant throughput and revocation propagation. One server process per subject, pinned
// to its own core; load from a separate process (autocannon) on the other core.
//
//   npm run bench -- [--short | --full] [--only resource,issue,password,refresh,revocation] [--json <file>]
//
// Progress goes to stderr, the table to stdout, everything (every repetition) to the JSON file. Needs the
// build (the npm script runs it). Services as `npm start` finds them, with a database and a Redis key
// prefix of its own, removed at the end; server logs go to a temp directory, removed too.
import { fileURLToPath } from 'node:url';
import { createBenchContext } from './lib/bench-context.mjs';
import { parseBenchOptions } from './lib/bench-options.mjs';
import { runWithCleanups } from './lib/cleanup-stack.mjs';
import { defaultJsonFile, writeJsonReport } from './lib/json-output.mjs';
import { describeMachine, machineHeader } from './lib/machine.mjs';
import { resultsTable } from './lib/results-table.mjs';
import { runIssueScenario } from './lib/scenario-issue.mjs';
import { runPasswordScenario } from './lib/scenario-password.mjs';
import { runRefreshScenario } from './lib/scenario-refresh.mjs';
import { runResourceScenario } from './lib/scenario-resource.mjs';
import { runRevocationScenario } from './lib/scenario-revocation.mjs';
import { evaluateTargets, targetsTable } from './lib/targets.mjs';

const options = parseBenchOptions(process.argv.slice(2));
const startedAt = new Date();
const log = (/** @type {string} */ line) => {
  const seconds = ((Date.now() - startedAt.getTime()) / 1000).toFixed(1).padStart(5);
  process.stderr.write(`[${seconds} s] ${line}\n`);
};

runWithCleanups('bench', async (cleanups) => {
  const serversDir = options.serversDir ?? fileURLToPath(new URL('./servers', import.meta.url));
  log(`bench: ${options.profile.mode} mode, scenarios ${options.scenarios.join(', ')}; setting up services`);
  const context = await createBenchContext({ cleanups, serversDir });
  const bench = { ...context, profile: options.profile, log };
  /** @type {Record<string, import('./lib/scenario.mjs').ScenarioResult>} */
  const results = {};
  for (const id of options.scenarios) {
    log(`scenario ${id}`);
    if (id === 'resource') results[id] = await runResourceScenario(bench);
    if (id === 'issue') results[id] = await runIssueScenario(bench);
    if (id === 'password') results[id] = await runPasswordScenario(bench);
    if (id === 'refresh') results[id] = await runRefreshScenario(bench, results.issue?.figures.ccRps);
    if (id === 'revocation') results[id] = await runRevocationScenario(bench);
  }
  const wallSeconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
  const machine = describeMachine({
    pinning: bench.pinning,
    mode: options.profile.mode,
    notes: bench.notes,
    startedAt,
  });
  const targets = evaluateTargets(results);
  const notes = Object.values(results).flatMap((result) => result.notes);
  const { profile } = options;
  console.info(machineHeader(machine));
  console.info(
    `Load: autocannon ${profile.connections} connections (password flood ${profile.passwordConnections}), ` +
      `${profile.warmupSeconds} s warm-up, ${profile.reps} x ${profile.seconds} s; medians of the repetitions ` +
      `(autocannon latencies in whole ms); wall ${wallSeconds} s\n`,
  );
  console.info(resultsTable(results));
  for (const note of notes) console.info(`  note: ${note}`);
  console.info(`\nTargets (issue 7)\n${targetsTable(targets)}`);
  const jsonFile = options.jsonFile ?? defaultJsonFile(startedAt);
  writeJsonReport(jsonFile, { machine, profile, wallSeconds, scenarios: results, notes, targets });
  log(`bench: results written to ${jsonFile}`);
});
