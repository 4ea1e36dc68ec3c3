#!/usr/bin/env bash
# Run every minute by simpul-health.timer:
#   - restarts a box that stops answering /healthz (3 probes in a row without an answer; a box that
#     answers 503 — disk low, corrupt data dir — is not restarted: a restart would not help, and
#     its pages say what to do);
#   - starts a box that is not running (after systemd gave up on its restarts);
#   - runs the disk guard and records the time floor.
# Does nothing while an update runs (it owns the box then).
set -euo pipefail
HERE="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
FAILS_AFTER="${SIMPUL_HEALTH_FAILS:-3}"
mkdir -p "$STATE"
exec 9>"$STATE/lock"
flock -n 9 || exit 0

"$HERE/time-floor.sh" stamp || say "time floor not recorded"
"$HERE/disk-guard.sh" || say "disk guard failed"

count_file="$STATE/health-failures"
fails="$(cat "$count_file" 2>/dev/null || echo 0)"
code="$(health_probe "$STATE/health-now.json")"
if [ "$code" = 000 ]; then
  fails=$((fails + 1))
  say "the box did not answer /healthz ($fails in a row)"
  if ! svc is-active --quiet simpul.service; then
    say "the box is not running: starting it"
    svc reset-failed simpul.service || true
    svc start simpul.service || true
    fails=0
  elif [ "$fails" -ge "$FAILS_AFTER" ]; then
    say "restarting the box: no answer $fails times in a row"
    svc restart simpul.service || true
    fails=0
  fi
else
  [ "$code" = 200 ] || say "the box answers $code: $(head -c 300 "$STATE/health-now.json")"
  fails=0
fi
printf '%s\n' "$fails" | write_durably "$count_file"
