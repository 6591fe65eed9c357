#!/usr/bin/env bash
# Runs the test suite (or the vitest arguments given) with the system clock moved to other
# instants and the machine in other time zones, to prove no test depends on today's date:
# a weekday afternoon, Saturday just before midnight, a Sunday, both UK DST changes (the
# test workshops are in Europe/London), in time zones far from UTC. Needs Debian's faketime.
#   npm run test:dates                      # the whole suite at every instant
#   npm run test:dates -- client/test       # some files
#   AT='2027-03-28 00:30:00' npm run test:dates
set -uo pipefail
cd "$(dirname "$0")/../.."
command -v faketime >/dev/null || { echo "test:dates needs faketime (apt-get install -y faketime)"; exit 2; }

if [ -n "${AT:-}" ]; then runs=("${AT}|${TZ:-UTC}"); else runs=(
  "2026-11-30 16:00:00|UTC"                   # Monday afternoon (CI was red at this hour)
  "2026-12-05 23:50:00|Pacific/Kiritimati"    # Saturday 23:50 UTC, already Sunday on the machine
  "2026-12-06 12:00:00|America/Los_Angeles"   # Sunday
  "2027-03-28 00:30:00|Europe/London"         # 30 min before the UK clocks go forward
  "2026-10-25 00:30:00|Asia/Kolkata"          # 30 min before the UK clocks go back
); fi

failed=0
for run in "${runs[@]}"; do
  at=${run%|*}; tz=${run#*|}
  echo "== tests at ${at} UTC, TZ=${tz}"
  local_at=$(TZ=$tz date -d "${at} UTC" '+%Y-%m-%d %H:%M:%S') # faketime reads wall time in TZ
  # FAKETIME_DONT_RESET: processes started later (test workers, Chromium, spawned servers)
  # share one moved clock instead of each starting again at ${at}.
  if FAKETIME_DONT_RESET=1 TZ=$tz faketime -f "@${local_at}" npx vitest run "$@"; then echo "== ok at ${at} (${tz})"; else echo "== FAILED at ${at} (${tz})"; failed=1; fi
done
exit $failed
