import type { ChainableCommander, Redis } from 'ioredis';
import type { RevocationEntry } from './revocation-entry.js';

/**
 * Writes one revocation key the way createRevocationSet.add and the PostgreSQL GREATEST upsert merge
 * (packages/db `recordRevocation`): the later revokedAt and the later expiresAt of the stored and the new
 * entry, so a reseed that read PostgreSQL before a newer revocation, or two auth servers publishing out of
 * order, never put an older entry back. A stored value that is not a valid entry for this key (external
 * input) is overwritten. The TTL follows the kept expiresAt. Publishes the kept entry when it changed and a
 * channel is given; returns 1 when the key changed, 0 when Redis already held this entry or a newer one.
 *
 * KEYS[1] the revocation key. ARGV: kind, value, revokedAt, expiresAt, now (epoch ms as decimal integers,
 * validated by the caller), channel ('' to skip the publish).
 */
const MERGE_REVOCATION_LUA = `
local kind, value, channel = ARGV[1], ARGV[2], ARGV[6]
local revokedAt, expiresAt, now = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])

local function isEpochMs(n)
  return type(n) == 'number' and n >= 0 and n <= 9007199254740991 and math.floor(n) == n
end

local stored = redis.call('GET', KEYS[1])
if stored then
  local decoded, held = pcall(cjson.decode, stored)
  if decoded and type(held) == 'table' and held.kind == kind and held.value == value
      and isEpochMs(held.revokedAt) and isEpochMs(held.expiresAt) then
    if held.revokedAt >= revokedAt and held.expiresAt >= expiresAt then return 0 end
    revokedAt = math.max(revokedAt, held.revokedAt)
    expiresAt = math.max(expiresAt, held.expiresAt)
  end
end
if expiresAt <= now then return 0 end

local json = '{"kind":' .. cjson.encode(kind) .. ',"value":' .. cjson.encode(value)
  .. ',"revokedAt":' .. string.format('%d', revokedAt)
  .. ',"expiresAt":' .. string.format('%d', expiresAt) .. '}'
redis.call('SET', KEYS[1], json, 'PX', string.format('%d', expiresAt - now))
if channel ~= '' then redis.call('PUBLISH', channel, json) end
return 1
`;

/**
 * Sets the complete-set marker to this copy's token, but only if the copy's token key survived the copy: a
 * FLUSHALL (or a restart) during the copy deleted it, and the set the copy leaves behind is partial.
 * Returns 1 when the marker was set, 0 otherwise.
 *
 * KEYS[1] the copy's token key, KEYS[2] the marker. ARGV[1] the token.
 */
const MARK_REVOCATIONS_COMPLETE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
return 1
`;

/** Names under which the scripts are defined on a client; prefixed so they cannot shadow a command. */
const MERGE_COMMAND = 'portcullisMergeRevocation';
const MARK_COMPLETE_COMMAND = 'portcullisMarkRevocationsComplete';

type MergeArgs = [
  key: string,
  kind: string,
  value: string,
  revokedAt: string,
  expiresAt: string,
  now: string,
  channel: string,
];
interface ScriptCommands {
  [MERGE_COMMAND](...args: MergeArgs): Promise<number>;
  [MARK_COMPLETE_COMMAND](tokenKey: string, markerKey: string, token: string): Promise<number>;
}
interface PipelineScriptCommands {
  [MERGE_COMMAND](...args: MergeArgs): ChainableCommander;
}

/** Clients the scripts are already defined on: defineCommand replaces, so define once per client. */
const defined = new WeakSet<Redis>();

/**
 * The scripts above as commands of this client (ioredis `defineCommand`: EVALSHA, falling back to EVAL
 * once per connection when Redis does not have the script yet).
 */
function scriptsOf(redis: Redis): Redis & ScriptCommands {
  if (!defined.has(redis)) {
    redis.defineCommand(MERGE_COMMAND, { numberOfKeys: 1, lua: MERGE_REVOCATION_LUA });
    redis.defineCommand(MARK_COMPLETE_COMMAND, { numberOfKeys: 2, lua: MARK_REVOCATIONS_COMPLETE_LUA });
    defined.add(redis);
  }
  return redis as Redis & ScriptCommands;
}

function mergeArgs(key: string, entry: RevocationEntry, now: number, channel: string | undefined): MergeArgs {
  return [
    key,
    entry.kind,
    entry.value,
    String(entry.revokedAt),
    String(entry.expiresAt),
    // Whole ms: expiresAt > now then leaves a TTL of at least 1 ms (PX 0 is an error).
    String(Math.floor(now)),
    channel ?? '',
  ];
}

/**
 * Merges the entry into its key (see MERGE_REVOCATION_LUA) and, when the key changed and `channel` is set,
 * publishes the kept entry in the same script: one round trip. Resolves whether the key changed.
 */
export async function mergeRevocation(
  redis: Redis,
  key: string,
  entry: RevocationEntry,
  now: number,
  channel?: string,
): Promise<boolean> {
  return (await scriptsOf(redis)[MERGE_COMMAND](...mergeArgs(key, entry, now, channel))) === 1;
}

/**
 * Queues the same merge on a pipeline of this client (made after the scripts were defined on it, which this
 * ensures); its result is 1 when the key changed.
 */
export function pipelineOfMerges(
  redis: Redis,
  merges: readonly { key: string; entry: RevocationEntry }[],
  now: number,
  channel?: string,
): ChainableCommander {
  const pipeline = scriptsOf(redis).pipeline();
  const commands = pipeline as ChainableCommander & PipelineScriptCommands;
  for (const { key, entry } of merges) commands[MERGE_COMMAND](...mergeArgs(key, entry, now, channel));
  return pipeline;
}

/** Sets the marker to `token` if `tokenKey` still exists (see MARK_REVOCATIONS_COMPLETE_LUA); resolves whether it did. */
export async function markRevocationsComplete(
  redis: Redis,
  tokenKey: string,
  markerKey: string,
  token: string,
): Promise<boolean> {
  return (await scriptsOf(redis)[MARK_COMPLETE_COMMAND](tokenKey, markerKey, token)) === 1;
}
