// @ts-check
import { parseArgs } from 'node:util';

export const SCENARIOS = /** @type {const} */ (['resource', 'issue', 'password', 'refresh', 'revocation']);

/**
 * @typedef {{ mode: 'short' | 'full', warmupSeconds: number, seconds: number, reps: number,
 *   connections: number, passwordConnections: number, refreshChains: number, firstSeenTokens: number,
 *   revocationCount: number, probeIntervalMs: number }} Profile
 */

/**
 * Short: a quick look, the whole run under 2 minutes on 2 cores. Full: longer runs and 3 repetitions.
 * `passwordConnections` keeps the argon2 queue (2 at a time, 64 waiting at most) busy, far from full.
 * `firstSeenTokens` bounds the first-seen run: every token is minted through our auth server first.
 * @type {Record<'short' | 'full', Profile>}
 */
export const PROFILES = {
  short: {
    mode: 'short',
    warmupSeconds: 1,
    seconds: 2,
    reps: 2,
    connections: 10,
    passwordConnections: 8,
    refreshChains: 10,
    firstSeenTokens: 4000,
    revocationCount: 50,
    probeIntervalMs: 50,
  },
  full: {
    mode: 'full',
    warmupSeconds: 5,
    seconds: 10,
    reps: 3,
    connections: 10,
    passwordConnections: 8,
    refreshChains: 10,
    firstSeenTokens: 40_000,
    revocationCount: 200,
    probeIntervalMs: 50,
  },
};

const usage = `usage: node scripts/bench/run.mjs [--short | --full] [--only ${SCENARIOS.join(',')}] [--json <file>]`;

/** @param {string[]} args */
export function parseBenchOptions(args) {
  const { values } = parseArgs({
    args,
    options: {
      short: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      only: { type: 'string' },
      json: { type: 'string' },
      'servers-dir': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.info(usage);
    process.exit(0);
  }
  if (values.short && values.full) throw new TypeError(`--short and --full exclude each other\n${usage}`);
  const only = values.only
    ?.split(',')
    .map((id) => id.trim())
    .filter(Boolean) ?? [...SCENARIOS];
  const unknown = only.filter((id) => !SCENARIOS.includes(/** @type {any} */ (id)));
  if (unknown.length > 0) throw new TypeError(`unknown scenario ${unknown.join(', ')}\n${usage}`);
  return {
    profile: PROFILES[values.full ? 'full' : 'short'],
    scenarios: SCENARIOS.filter((id) => only.includes(id)),
    jsonFile: values.json,
    serversDir: values['servers-dir'],
  };
}
