#!/usr/bin/env bash
# Fetches the release the hub assigned to this box, then installs it with update.sh.
#   fetch-release.sh [<assignment.json>] [--now] [--no-update]
# The assignment (what the hub sends when a rollout wave reaches this box; the box writes it to
# /var/lib/simpul/release-assignment.json, the default here — appliance/release-assignment.ts):
#   {"version": "0.2.0", "url": "https://…/simpul-box-0.2.0.tar", "sha256": "…", "bytes": 11000000}
# The download authenticates as the box (HTTP Basic: deviceId and deviceSecret from the box's
# config, passed to curl on stdin, never on its command line), as the hub's release route asks.
# Only that release, only inside the box's night window (syncNightWindow in its config, e.g.
# "22:00-05:00"; --now ignores it), at most the box's bandwidth cap (syncBandwidthKbps; 0: none),
# resumable: the partial download stays in $STATE/download and continues with an HTTP range
# request at the next run. The whole file's sha256 must be the assignment's; update.sh then checks
# the signature as for any bundle. When the hub withdraws the assignment (its rollout halted), the
# box removes the file: a run finds nothing to do, and a run already downloading stops before
# update.sh (the hub refuses the rest of the download too). SIMPUL_NOW_HHMM sets the time of day (tests).
set -euo pipefail
HERE="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
ASSIGNMENT=''
NOW_OK=no
UPDATE=yes
for a in "$@"; do
  case "$a" in
    --now) NOW_OK=yes ;;
    --no-update) UPDATE=no ;;
    -*) echo "usage: fetch-release.sh [<assignment.json>] [--now] [--no-update]" >&2; exit 2 ;;
    *) ASSIGNMENT="$a" ;;
  esac
done
HELD=no
if [ -z "$ASSIGNMENT" ]; then
  ASSIGNMENT="$DATA/release-assignment.json"
  HELD=yes
  [ -f "$ASSIGNMENT" ] || { say "no release assigned"; exit 0; }
fi
[ -f "$ASSIGNMENT" ] || die "usage: fetch-release.sh [<assignment.json>] [--now] [--no-update]"
version="$(json_get "$ASSIGNMENT" version)"
url="$(json_get "$ASSIGNMENT" url)"
sha="$(json_get "$ASSIGNMENT" sha256)"
bytes="$(json_get "$ASSIGNMENT" bytes)"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] || die "assignment: bad version '$version'"
[[ "$sha" =~ ^[0-9a-f]{64}$ ]] || die "assignment: bad sha256"
[[ "$url" =~ ^https?:// ]] || die "assignment: bad url"
[[ "$bytes" =~ ^[0-9]+$ ]] || die "assignment: bad size"
if [ "$version" = "$(current_version)" ]; then say "$version already runs"; exit 0; fi

# Inside the night window? (minutes since midnight; a window may wrap past midnight)
window="$(json_get "$ETC/simpul.config.json" syncNightWindow)"
if [ -n "$window" ] && [ "$NOW_OK" != yes ]; then
  hhmm="${SIMPUL_NOW_HHMM:-$(date +%H:%M)}"
  mins() { echo $((10#${1%%:*} * 60 + 10#${1##*:})); }
  now="$(mins "$hhmm")" from="$(mins "${window%%-*}")" to="$(mins "${window##*-}")"
  inside=no
  if [ "$from" -le "$to" ]; then
    [ "$now" -ge "$from" ] && [ "$now" -lt "$to" ] && inside=yes
  else
    { [ "$now" -ge "$from" ] || [ "$now" -lt "$to" ]; } && inside=yes
  fi
  if [ "$inside" != yes ]; then say "outside the night window $window ($hhmm): later"; exit 0; fi
fi

kbps="$(json_get "$ETC/simpul.config.json" syncBandwidthKbps)"
limit=()
if [ -n "$kbps" ] && [ "${kbps%.*}" -gt 0 ]; then
  limit=(--limit-rate "$(( ${kbps%.*} * 1000 / 8 ))")
  say "at most ${kbps%.*} kbit/s"
fi
# True (and the partial download deleted) when the box no longer holds this assignment: the hub
# withdrew it while this run downloaded.
withdrawn() {
  [ "$HELD" = yes ] || return 1
  if [ -f "$ASSIGNMENT" ] && [ "$(json_get "$ASSIGNMENT" sha256)" = "$sha" ]; then return 1; fi
  rm -f "$part"
  say "the assignment of $version was withdrawn by the hub: nothing installed"
}
dl="$STATE/download"
mkdir -p "$dl"
chmod 0700 "$STATE"
# Partial downloads of another release are of no use any more.
find "$dl" -maxdepth 1 -name '*.partial' ! -name "simpul-box-$version.tar.partial" -delete
part="$dl/simpul-box-$version.tar.partial"
have="$(stat -c %s "$part" 2>/dev/null || echo 0)"
if [ "$have" -lt "$bytes" ]; then
  [ "$have" -eq 0 ] || say "resuming at byte $have of $bytes"
  # The assignment's download key (a box enrolled with a claim code has no secret), else the box's
  # id and secret: to curl as a config on stdin, never in `ps`.
  key="$(json_get "$ASSIGNMENT" downloadKey)"
  device="$(json_get "$ETC/simpul.config.json" deviceId)"
  secret="$(json_get "$ETC/simpul.config.json" deviceSecret)"
  auth=''
  if [[ "$key" =~ ^[A-Za-z0-9_-]{43}$ ]]; then
    auth="header = \"Authorization: Bearer $key\""
  elif [ -n "$device" ] && [ -n "$secret" ]; then
    auth="user = \"$device:$secret\""
  fi
  printf '%s\n' "$auth" | curl -K - -fsS --connect-timeout 20 --speed-time 60 --speed-limit 100 -C - "${limit[@]}" -o "$part" "$url" \
    || { withdrawn && exit 0; die "download stopped at $(stat -c %s "$part" 2>/dev/null || echo 0) of $bytes bytes; the next run resumes"; }
fi
withdrawn && exit 0
if [ "$(sha256sum "$part" | cut -d' ' -f1)" != "$sha" ]; then
  rm -f "$part"
  die "the download of $version does not match the assigned sha256: deleted"
fi
bundle="$dl/simpul-box-$version.tar"
mv -f "$part" "$bundle"
say "downloaded $version ($bytes bytes)"
[ "$UPDATE" = yes ] || exit 0
rc=0
"$HERE/update.sh" "$bundle" || rc=$?
rm -f "$bundle"
exit "$rc"
