#!/usr/bin/env bash
# Keeps room on the data disk for the clinic's records (run every minute by the health check).
# Free space below DISK_PRUNE_MB: prune, oldest and least useful first, re-measuring after each:
#   1. releases other than the running and the previous one, pgdata.failed-*/replaced-* copies
#      older than 7 days, the pre-update backup once its update is committed;
#   2. the journal down to 50 MB;
#   3. weekly backups down to 1, then daily backups down to 1 (the newest backup always stays).
# Below DISK_LOW_MB it reports the disk as low ($STATE/disk-guard.json; the box's /healthz itself
# fails below 200 MB free and says so in its status to the hub).
# Below DISK_CRITICAL_MB — the very end — it deletes the reserve file install.sh made
# ($RESERVE, 64 MB) so that the database can keep writing the day's records a while longer; see
# README.md "Disk guard" for what happens after that.
# SIMPUL_DISK_FREE_MB overrides the measurement (tests).
set -euo pipefail
HERE="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
CRITICAL_MB="${DISK_CRITICAL_MB:-100}"
RESERVE="$R/var/lib/simpul-reserve"
PRUNED=()

free_mb() {
  if [ -n "${SIMPUL_DISK_FREE_MB:-}" ]; then
    # Tests: a fixed figure (pruning then goes as far as it can).
    echo "$SIMPUL_DISK_FREE_MB"
  else
    df -Pm "$DATA" | awk 'NR == 2 { print $4 }'
  fi
}

prune() {
  local path="$1"
  [ -e "$path" ] || return 0
  rm -rf "$path"
  PRUNED+=("${path#"$R"}")
  say "pruned ${path#"$R"}"
}

keep_newest() {
  local dir="$1" keep="$2"
  [ -d "$dir" ] || return 0
  find "$dir" -maxdepth 1 -name 'simpul-*.tar.gz' -printf '%f\n' | sort -r | tail -n +"$((keep + 1))"
}

free="$(free_mb)"
if [ "$free" -lt "$DISK_PRUNE_MB" ]; then
  cur="$(current_version)"
  prev="$(cat "$STATE/previous-release" 2>/dev/null || true)"
  for r in $(find "$RELEASES" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V); do
    [ "$r" = "$cur" ] || [ "$r" = "$prev" ] || prune "$RELEASES/$r"
  done
  while read -r old; do prune "$old"; done < <(find "$DATA" -maxdepth 1 \( -name 'pgdata.failed-*' -o -name 'pgdata.replaced-*' \) -mtime +7 2>/dev/null)
  if [ ! -f "$STATE/journal" ]; then
    for f in "$BACKUPS"/pre-update-*.tar.gz; do [ -e "$f" ] && prune "$f"; done
  fi
  free="$(free_mb)"
fi
if [ "$free" -lt "$DISK_PRUNE_MB" ]; then
  system_action journalctl --vacuum-size=50M
  PRUNED+=(journal:50M)
  free="$(free_mb)"
fi
if [ "$free" -lt "$DISK_PRUNE_MB" ]; then
  while read -r old; do prune "$BACKUPS/weekly/$old"; done < <(keep_newest "$BACKUPS/weekly" 1)
  while read -r old; do prune "$BACKUPS/daily/$old"; done < <(keep_newest "$BACKUPS/daily" 1)
  free="$(free_mb)"
fi
state=ok
[ "$free" -ge "$DISK_LOW_MB" ] || state=low
if [ "$free" -lt "$CRITICAL_MB" ]; then
  state=critical
  if [ -f "$RESERVE" ]; then
    prune "$RESERVE"
    say "the disk is nearly full (${free} MB): released the reserve for the database"
  fi
fi
[ "$state" = ok ] || say "disk $state: ${free} MB free on the data disk"
mkdir -p "$STATE"
"$NODE" -e '
  const [state, freeMb, ...pruned] = process.argv.slice(1);
  process.stdout.write(JSON.stringify({ state, freeMb: Number(freeMb), pruned, at: new Date().toISOString() }) + "\n");
' "$state" "$free" "${PRUNED[@]}" | write_durably "$STATE/disk-guard.json"
