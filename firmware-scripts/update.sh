#!/usr/bin/env bash
# Updates the box to a signed release bundle, and rolls back by itself when the new release is
# not healthy in time.
#
#   update.sh [--force] [--timeout <s>] <bundle>   verify, unpack, back up, switch, trial, commit
#   update.sh --recover                            finish or undo an interrupted update (run by
#                                                  simpul.service before every start)
#
# Steps, each recorded in $STATE/journal before the next begins, so that a power cut at any moment
# ends, at the next start, on a working release (see "Power cut during an update" in README.md):
#   unpacked → stopped → backed-up → switched → trial → committed     (or → rolling-back → restoring)
# The trial runs the new release on loopback only (SIMPUL_HOST=127.0.0.1 from $RUNDIR/trial.env):
# no phone or tablet can write to it until it is committed, so rolling its database back to the
# backup taken before the switch never loses a record a person was told was saved.
# Exit codes: 0 updated (or nothing to do), 1 refused or failed, 3 rolled back.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

JOURNAL="$STATE/journal"
TRIAL_ENV="$RUNDIR/trial.env"

# Tests cut the power at a named point (kill -9 of this script) with SIMPUL_TEST_KILL_AT=<point>:
# every step below, and trial-running (the new box started) and healthy (before the commit).
kill_point() {
  if [ "${SIMPUL_TEST_KILL_AT:-}" = "$1" ]; then kill -9 $$; fi
}

step() {
  local phase="$1"
  PHASE="$phase"
  {
    printf 'PHASE=%q\nFROM=%q\nTO=%q\nBACKUP=%q\nSYNC_BEFORE=%q\nMIGRATION_BEFORE=%q\nMIGRATION_TRIAL=%q\n' \
      "$PHASE" "$FROM" "$TO" "$BACKUP" "$SYNC_BEFORE" "$MIGRATION_BEFORE" "$MIGRATION_TRIAL"
  } | write_durably "$JOURNAL"
  kill_point "$phase"
}

clear_journal() {
  rm -f "$JOURNAL"
  sync "$STATE"
}

record_outcome() {
  local outcome="$1" version="$2" previous="$3" reason="$4" restored="$5"
  "$NODE" -e '
    const [outcome, version, previous, reason, restored] = process.argv.slice(1);
    process.stdout.write(JSON.stringify({ outcome, version, previous: previous || null, reason: reason || null, databaseRestored: restored === "yes", at: new Date().toISOString() }) + "\n");
  ' "$outcome" "$version" "$previous" "$reason" "$restored" | write_durably "$OUTCOME"
  if ! under_prefix; then chown "$BOX_USER:$BOX_USER" "$OUTCOME"; fi
  chmod 0600 "$OUTCOME"
  say "outcome: $outcome $version (from ${previous:-none})${reason:+: $reason}"
}

# Waits until /healthz answers ok (and sync is connected when it was before the update), at most
# $1 seconds. With $3 = trial, the migration level the new release reports goes into the journal
# (a rollback restores the database only if it changed).
wait_healthy() {
  local deadline=$((SECONDS + $1)) want_sync="$2" trial="${3:-}" body="$STATE/health.json" code migration
  LAST_HEALTH="no answer"
  while [ "$SECONDS" -lt "$deadline" ]; do
    code="$(health_probe "$body")"
    if [ "$code" != 000 ]; then
      migration="$(json_get "$body" checks.migration)"
      if [ "$trial" = trial ] && [ -n "$migration" ] && [ "$migration" != "$MIGRATION_TRIAL" ]; then
        MIGRATION_TRIAL="$migration"
        step "$PHASE"
      fi
      LAST_HEALTH="HTTP $code $(head -c 300 "$body")"
      if [ "$code" = 200 ] && [ "$(json_get "$body" ok)" = true ]; then
        if [ "$want_sync" != connected ] || [ "$(json_get "$body" checks.sync)" = connected ]; then return 0; fi
        LAST_HEALTH="sync not connected (it was before the update)"
      fi
    fi
    sleep 1
  done
  return 1
}

# Puts the database back from the pre-update backup (restartable: each move is checked first).
restore_database() {
  local failed="$DATA/pgdata.failed-$TO" tmp="$DATA/restore.tmp"
  if [ -d "$DATA/pgdata" ] && [ ! -d "$failed" ]; then
    mv -T "$DATA/pgdata" "$failed"
    sync "$DATA"
    kill_point restore-moved
  fi
  if [ ! -d "$DATA/pgdata" ]; then
    rm -rf "$tmp"
    as_box "$NODE" "$RELEASES/$FROM/box/backup-cli.mjs" restore "$BACKUP" "$tmp" >/dev/null
    mv -T "$tmp/pgdata" "$DATA/pgdata"
    rmdir "$tmp"
    sync "$DATA"
  fi
  # Only the latest failed database is kept (for a look by hand); older ones go.
  find "$DATA" -maxdepth 1 -name 'pgdata.failed-*' ! -name "pgdata.failed-$TO" -exec rm -rf {} +
}

# Back to $FROM. $1: why; $2: "boot" when run by simpul.service's ExecStartPre (systemd starts the
# box itself afterwards, so it is neither stopped nor started here).
rollback() {
  local reason="$1" mode="${2:-}" restore=no
  say "rolling back from $TO to $FROM: $reason"
  if [ "$mode" != boot ]; then svc stop simpul.service || true; fi
  step rolling-back
  switch_current "$FROM"
  # The new release may have migrated the database if it ran at all: restore unless it said its
  # migration level is the one from before (or there was no database before).
  if [ -n "$BACKUP" ] && [ -f "$BACKUP" ]; then
    if [ "$PHASE_AT_FAILURE" = trial ] || [ "$PHASE_AT_FAILURE" = rolling-back ] || [ "$PHASE_AT_FAILURE" = restoring ]; then
      if [ -z "$MIGRATION_TRIAL" ] || [ "$MIGRATION_TRIAL" != "$MIGRATION_BEFORE" ] || [ "$PHASE_AT_FAILURE" = restoring ]; then restore=yes; fi
    fi
  fi
  if [ "$restore" = yes ]; then
    step restoring
    restore_database
  fi
  rm -f "$TRIAL_ENV"
  record_outcome rolled-back "$TO" "$FROM" "$reason" "$restore"
  clear_journal
  if [ "$mode" != boot ]; then
    svc start simpul.service || true
    if ! wait_healthy "$HEALTH_TIMEOUT" none; then say "the previous release $FROM is not healthy either: $LAST_HEALTH"; fi
  fi
}

# Finishes or undoes an update a power cut (or kill -9) interrupted. $1: "boot" from ExecStartPre.
recover() {
  local mode="${1:-}"
  rm -rf "$RELEASES"/.partial-* "$OPT/.current.new"
  [ -f "$JOURNAL" ] || { rm -f "$TRIAL_ENV"; return 0; }
  PHASE='' FROM='' TO='' BACKUP='' SYNC_BEFORE='' MIGRATION_BEFORE='' MIGRATION_TRIAL=''
  # shellcheck source=/dev/null
  . "$JOURNAL"
  PHASE_AT_FAILURE="$PHASE"
  # The rename of `current` is atomic: the link itself says whether the switch happened.
  if [ "$(current_version)" = "$TO" ] && [ "$PHASE" != committed ] && [ "$PHASE" != rolling-back ] && [ "$PHASE" != restoring ]; then
    [ "$PHASE" = trial ] || PHASE_AT_FAILURE=switched
  fi
  say "recovering an update interrupted at '$PHASE_AT_FAILURE' ($FROM → $TO)"
  case "$PHASE_AT_FAILURE" in
    unpacked | stopped | backed-up)
      rm -rf "${RELEASES:?}/$TO"
      rm -f "$TRIAL_ENV"
      record_outcome interrupted "$TO" "$FROM" "interrupted before the switch; $FROM kept" no
      clear_journal
      if [ "$mode" != boot ]; then svc start simpul.service || true; fi
      ;;
    committed)
      rm -f "$TRIAL_ENV"
      record_outcome committed "$TO" "$FROM" '' no
      clear_journal
      if [ "$mode" != boot ]; then svc restart simpul.service || true; fi
      ;;
    *)
      rollback "interrupted during the trial of $TO" "$mode"
      ;;
  esac
}

usage() {
  echo "usage: update.sh [--force] [--timeout <seconds>] <bundle> | update.sh --recover" >&2
  exit 2
}

FORCE=no
BUNDLE=''
RECOVER=no
while [ $# -gt 0 ]; do
  case "$1" in
    --force) FORCE=yes ;;
    --recover) RECOVER=yes ;;
    --timeout) [ $# -ge 2 ] || usage; HEALTH_TIMEOUT="$2"; shift ;;
    -*) usage ;;
    *) [ -z "$BUNDLE" ] || usage; BUNDLE="$1" ;;
  esac
  shift
done
mkdir -p "$STATE" "$RUNDIR"
chmod 0700 "$STATE"
exec 9>"$STATE/lock"

if [ "$RECOVER" = yes ]; then
  # An update in progress holds the lock and is itself starting the box: nothing to recover.
  flock -n 9 || exit 0
  recover boot
  exit 0
fi
[ -n "$BUNDLE" ] || usage
BUNDLE="$(readlink -f "$BUNDLE")"
flock -n 9 || die "another update is running"
recover ""

WORK="$(mktemp -d "$STATE/work.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
TO="$(verify_bundle "$BUNDLE" "$WORK")"
FROM="$(current_version)"
[ -n "$FROM" ] || die "no installed release (run install.sh first)"
if [ "$TO" = "$FROM" ]; then say "$TO is already the running release"; exit 0; fi
if ! version_gt "$TO" "$FROM" && [ "$FORCE" != yes ]; then die "refused: $TO is older than the running $FROM (--force to go back)"; fi
say "updating $FROM → $TO"

BACKUP='' SYNC_BEFORE='' MIGRATION_BEFORE='' MIGRATION_TRIAL='' PHASE=''
unpack_release "$WORK" "$TO"
code="$(health_probe "$WORK/before.json")"
if [ "$code" != 000 ]; then
  SYNC_BEFORE="$(json_get "$WORK/before.json" checks.sync)"
  MIGRATION_BEFORE="$(json_get "$WORK/before.json" checks.migration)"
fi
step unpacked

svc stop simpul.service
step stopped

# Offline, after the stop: nothing acknowledged after the backup is lost if it is restored.
if [ -f "$DATA/pgdata/PG_VERSION" ]; then
  # Beside the nightly backups: written by the box's user (the data dir is its alone).
  BACKUP="$BACKUPS/pre-update-$FROM.tar.gz"
  rm -f "$BACKUPS"/pre-update-*.tar.gz
  as_box "$NODE" "$RELEASES/$FROM/box/backup-cli.mjs" backup "$DATA" "$BACKUP" >/dev/null || die "backup before the update failed; $FROM stays (start it: systemctl start simpul)"
fi
step backed-up

switch_current "$TO"
step switched

printf 'SIMPUL_HOST=127.0.0.1\n' | write_durably "$TRIAL_ENV"
step trial
svc start simpul.service || true
kill_point trial-running
if wait_healthy "$HEALTH_TIMEOUT" "$SYNC_BEFORE" trial; then
  kill_point healthy
  rm -f "$TRIAL_ENV"
  step committed
  svc restart simpul.service
  record_outcome committed "$TO" "$FROM" '' no
  printf '%s\n' "$FROM" | write_durably "$STATE/previous-release"
  clear_journal
  # Keep the running and the previous release; older ones go.
  for old in $(find "$RELEASES" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%f\n' | sort -V); do
    [ "$old" = "$TO" ] || [ "$old" = "$FROM" ] || rm -rf "${RELEASES:?}/$old"
  done
  wait_healthy "$HEALTH_TIMEOUT" none || say "warning: $TO answered on loopback but not after its restart: $LAST_HEALTH"
  say "updated to $TO"
  exit 0
fi
PHASE_AT_FAILURE=trial
rollback "health check failed within ${HEALTH_TIMEOUT}s: $LAST_HEALTH"
exit 3
