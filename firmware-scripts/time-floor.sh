#!/usr/bin/env bash
# The box's floor for time. A Raspberry Pi has no clock battery: after a power cut it boots at the
# last time fake-hwclock saved, or in 1970, and would stamp records and refuse TLS certificates
# until chrony reaches a source (which may be never, offline). The floor is the latest of: this
# release's build time and the time recorded every minute by the health check.
#   time-floor.sh stamp   record now (when now is not below the floor)
#   time-floor.sh set     at boot, before chrony: move the clock up to the floor if it is below
#   time-floor.sh show    print the floor (epoch seconds)
set -euo pipefail
HERE="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
STAMP="$STATE/time-floor"
NOW="${SIMPUL_NOW:-$(date +%s)}"

floor() {
  local built=0 stamped=0
  if [ -f "$CURRENT/manifest.json" ]; then
    built="$(date -d "$(json_get "$CURRENT/manifest.json" builtAt)" +%s 2>/dev/null || echo 0)"
  fi
  stamped="$(cat "$STAMP" 2>/dev/null || echo 0)"
  [[ "$stamped" =~ ^[0-9]+$ ]] || stamped=0
  if [ "$built" -gt "$stamped" ]; then echo "$built"; else echo "$stamped"; fi
}

case "${1:-}" in
  stamp)
    f="$(floor)"
    if [ "$NOW" -ge "$f" ]; then mkdir -p "$STATE"; printf '%s\n' "$NOW" | write_durably "$STAMP"; fi
    ;;
  set)
    f="$(floor)"
    if [ "$NOW" -lt "$f" ]; then
      say "the clock ($(date -u -d "@$NOW" +%FT%TZ)) is below the floor ($(date -u -d "@$f" +%FT%TZ)): setting it to the floor"
      system_action date -u -s "@$f"
    fi
    ;;
  show) floor ;;
  *) echo "usage: time-floor.sh stamp|set|show" >&2; exit 2 ;;
esac
