// @ts-check
import { formatTable } from './format-table.mjs';
import { fixed } from './results-table.mjs';

/**
 * @typedef {{ target: string, goal: string, value: number | undefined, passes: (value: number) => boolean,
 *   unit: string }} Check
 */

/** A ratio that must reach `min`; three decimals, so that the shown figure never contradicts the verdict. */
const atLeast = (/** @type {number} */ min, /** @type {string} */ goal) => ({
  goal,
  passes: (/** @type {number} */ value) => value >= min,
  unit: 'ratio',
});
/** Strictly ahead of another subject's req/s. */
const ahead = { goal: '> 1x its req/s', passes: (/** @type {number} */ value) => value > 1, unit: 'ratio' };
const below = (/** @type {number} */ max, /** @type {string} */ goal, /** @type {string} */ unit) => ({
  goal,
  passes: (/** @type {number} */ value) => value < max,
  unit,
});

/**
 * Issue 7's targets against this run's figures: PASS, MISS, or n/a when the scenario did not run.
 * @param {Record<string, import('./scenario.mjs').ScenarioResult>} results
 */
export function evaluateTargets(results) {
  const figure = (/** @type {string} */ scenario, /** @type {string} */ name) =>
    results[scenario]?.figures[name];
  const peakRss = (/** @type {'auth-server' | 'resource-server'} */ process) => {
    const sizes = Object.values(results).flatMap((result) =>
      result.rows.filter((row) => row.process === process).map((row) => row.measurement?.rssMb ?? 0),
    );
    return sizes.length > 0 ? Math.max(...sizes) : undefined;
  };
  /** @type {Check[]} */
  const checks = [
    {
      target: 'protected GET, token seen before',
      value: figure('resource', 'seenVsBare'),
      ...atLeast(0.8, '>= 0.80 of bare Koa GET'),
    },
    {
      target: 'protected GET, first-seen token',
      value: figure('resource', 'firstSeenVsBare'),
      ...atLeast(0.25, '>= 0.25 of bare Koa GET'),
    },
    {
      target: 'ours (seen) ahead of Fastify + @fastify/jwt',
      value: figure('resource', 'seenVsFastify'),
      ...ahead,
    },
    {
      target: 'ours (seen) ahead of Express + express-oauth2-jwt-bearer',
      value: figure('resource', 'seenVsExpress'),
      ...ahead,
    },
    {
      target: 'client_credentials vs @node-oauth/oauth2-server',
      value: figure('issue', 'ccVsNodeOauth'),
      ...atLeast(1.1, '>= 1.1x'),
    },
    {
      target: 'client_credentials vs bare Koa POST',
      value: figure('issue', 'ccVsBarePost'),
      ...atLeast(0.35, '>= 0.35'),
    },
    {
      target: 'password grants vs argon2 ceiling',
      value: figure('password', 'passwordVsCeiling'),
      ...atLeast(0.85, '>= 0.85'),
    },
    {
      target: 'client_credentials during the flood vs alone',
      value: figure('password', 'ccFloodVsAlone'),
      ...atLeast(0.8, '>= 0.80'),
    },
    {
      target: 'GET /jwks p99 during the flood',
      value: figure('password', 'jwksP99'),
      ...below(50, '< 50 ms', 'ms'),
    },
    {
      target: 'revocation propagation p99',
      value: figure('revocation', 'revocationP99'),
      ...below(100, '< 100 ms', 'ms'),
    },
    {
      target: 'resource server peak RSS',
      value: peakRss('resource-server'),
      ...below(150, '< 150 MB', 'MB'),
    },
    { target: 'auth server peak RSS', value: peakRss('auth-server'), ...below(250, '< 250 MB', 'MB') },
  ];
  return checks.map(({ target, goal, value, passes, unit }) => ({
    target,
    goal,
    measured: value,
    shown: value === undefined ? '-' : unit === 'ratio' ? fixed(value, 3) : `${fixed(value, 1)} ${unit}`,
    verdict: value === undefined ? 'n/a' : passes(value) ? 'PASS' : 'MISS',
  }));
}

/** @param {ReturnType<typeof evaluateTargets>} targets */
export function targetsTable(targets) {
  return formatTable(
    targets.map(({ target, goal, shown, verdict }) => ({ target, goal, measured: shown, verdict })),
  );
}
