#!/usr/bin/env bash
# `npm audit --audit-level=high` over the whole lockfile: fails on any known high or critical advisory.
# Where the registry offers no audit endpoint (some mirrors, and this project's build machines, answer
# 405), the check cannot be made; it says so loudly and passes, since that is not a finding, unless
# REQUIRE_AUDIT=1 (set it in release CI, where the public registry is reachable): then it fails.
set -uo pipefail
cd "$(dirname "$0")/../.."

output=$(npm audit --audit-level=high 2>&1)
status=$?
grep -v 'Unknown user config' <<<"$output"
[ "$status" -eq 0 ] && exit 0

if grep -qE 'audit endpoint returned an error|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN' <<<"$output"; then
  echo '::warning:: npm audit could not reach an advisory endpoint: dependency advisories were NOT checked'
  [ "${REQUIRE_AUDIT:-0}" = 1 ] && exit 1
  exit 0
fi
exit "$status"
